using WbcNca.Inference;

namespace WbcNca.Tests.Inference;

public sealed class CalibrationTests
{
    private static float[] Softmax(double[] z, double t)
    {
        double max = z.Max();
        double[] e = z.Select(v => Math.Exp((v - max) / t)).ToArray();
        double sum = e.Sum();
        return e.Select(v => (float)(v / sum)).ToArray();
    }

    [Fact]
    public void The_fitted_temperature_recovers_the_temperature_the_labels_were_drawn_with()
    {
        // An over-confident model: its probabilities are softmax(z), the labels follow softmax(z / 2).
        var rng = new Random(5);
        const int n = 20000, classes = 4;
        var probs = new float[n * classes];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            double[] z = Enumerable.Range(0, classes).Select(_ => rng.NextDouble() * 6).ToArray();
            Softmax(z, 1).CopyTo(probs, i * classes);
            float[] truth = Softmax(z, 2);
            double u = rng.NextDouble(), acc = 0;
            labels[i] = classes - 1;
            for (int j = 0; j < classes; j++) { acc += truth[j]; if (u < acc) { labels[i] = j; break; } }
        }
        double t = Calibration.FitTemperature(probs, labels, classes);
        Assert.InRange(t, 1.85, 2.15);
        var fitted = new Calibration(t);
        double before = Calibration.ExpectedCalibrationError(probs, labels, classes);
        double after = Calibration.ExpectedCalibrationError(fitted.Apply(probs, classes), labels, classes);
        Assert.True(before > 0.05, $"ECE before {before}");
        Assert.True(after < 0.02, $"ECE after {after}");
    }

    [Fact]
    public void Applying_a_temperature_equals_the_softmax_of_the_divided_logits_and_keeps_the_arg_max()
    {
        double[] z = [2.0, -1.0, 0.5];
        float[] tempered = new Calibration(3).Apply(Softmax(z, 1), 3);
        float[] expected = Softmax(z, 3);
        for (int j = 0; j < 3; j++) Assert.Equal(expected[j], tempered[j], 5);
        Assert.Equal(Softmax(z, 1), Calibration.None.Apply(Softmax(z, 1), 3));
    }

    [Fact]
    public void The_expected_calibration_error_weighs_each_bins_gap_by_its_share()
    {
        // Two items at confidence 0.9 (one right), two at 0.6 (both right): |0.5 − 0.9|·½ + |1 − 0.6|·½ = 0.4.
        float[] probs = [0.9f, 0.1f, 0.9f, 0.1f, 0.6f, 0.4f, 0.6f, 0.4f];
        int[] labels = [0, 1, 0, 0];
        Assert.Equal(0.4, Calibration.ExpectedCalibrationError(probs, labels, 2), 6);
        var bins = Calibration.Reliability(probs, labels, 2);
        Assert.Equal(Calibration.Bins, bins.Count);
        Assert.Equal(2, bins[13].Count);                  // 0.9 falls in bin 13 of 15
        Assert.Equal(0.5, bins[13].Accuracy, 6);
    }

    [Fact]
    public void The_stored_form_round_trips_and_refuses_a_non_positive_temperature()
    {
        var c = new Calibration(1.7, "validation", 1133, 0.08, 0.02);
        Assert.Equal(c, Calibration.FromJson(c.ToJson()));
        Assert.Throws<System.Text.Json.JsonException>(() => Calibration.FromJson("{\"temperature\":0}"));
    }
}
