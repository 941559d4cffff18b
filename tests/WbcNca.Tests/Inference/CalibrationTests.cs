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

public sealed class AveragedCalibrationTests
{
    private static float[] Row(params double[] p) => p.Select(v => (float)v).ToArray();

    [Fact]
    public void Averaged_runs_that_are_all_the_same_fit_the_temperature_of_one_run_and_average_to_it()
    {
        var rng = new Random(3);
        const int n = 500, classes = 3;
        var probs = new float[n * classes];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            double a = rng.NextDouble() * 4, b = rng.NextDouble() * 4;
            double[] e = [Math.Exp(a), Math.Exp(b), 1];
            for (int j = 0; j < classes; j++) probs[i * classes + j] = (float)(e[j] / e.Sum());
            labels[i] = rng.Next(classes);   // labels unrelated to the answers: an over-confident model
        }
        double single = Calibration.FitTemperature(probs, labels, classes);
        Assert.Equal(single, Calibration.FitTemperature([probs, probs, probs], labels, classes), 3);
        var fitted = new Calibration(single);
        Assert.Equal(fitted.Apply(probs, classes), fitted.ApplyAveraged([probs, probs], classes));
    }

    [Fact]
    public void The_averaged_likelihood_is_of_the_mean_of_the_tempered_runs_and_its_minimum_is_the_fitted_temperature()
    {
        // Two runs that disagree: one says class 0, the other class 1; the label is 0.
        float[] first = Row(0.9, 0.1), second = Row(0.2, 0.8);
        double nll = Calibration.AveragedNegativeLogLikelihood([first, second], [0], 2, 1);
        Assert.Equal(-Math.Log((0.9 + 0.2) / 2), nll, 5);
        float[] mean = Calibration.None.ApplyAveraged([first, second], 2);
        Assert.Equal((0.9 + 0.2) / 2, mean[0], 6);
        Assert.Equal((0.1 + 0.8) / 2, mean[1], 6);

        var rng = new Random(8);
        const int n = 400;
        var runs = new[] { new float[n * 2], new float[n * 2] };
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            // An over-confident model: each run says sigmoid(z + noise), the labels follow sigmoid(z / 2).
            double z = rng.NextDouble() * 8 - 4;
            foreach (float[] run in runs)
            {
                float p = (float)(1 / (1 + Math.Exp(-(z + rng.NextDouble() - 0.5))));
                (run[i * 2], run[i * 2 + 1]) = (p, 1 - p);
            }
            labels[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z / 2)) ? 0 : 1;
        }
        double t = Calibration.FitTemperature(runs, labels, 2);
        Assert.InRange(t, 1.2, 4);
        double at = Calibration.AveragedNegativeLogLikelihood(runs, labels, 2, t);
        foreach (double other in new[] { 0.05, t * 0.8, t * 1.25, 20 })
            Assert.True(at <= Calibration.AveragedNegativeLogLikelihood(runs, labels, 2, other) + 1e-9, $"T = {t} is not below T = {other}");
    }

    [Fact]
    public void A_stored_averaging_reads_back_and_a_bad_one_is_refused()
    {
        var a = new TestTimeAveraging(8, Views: true);
        Assert.Equal("""{"samples":8,"views":true}""", a.ToJson());
        Assert.Equal(a, TestTimeAveraging.FromJson(a.ToJson()));
        Assert.Equal("8 views (mask draws, each on another rotation or mirror image)", a.ToString());
        Assert.Equal("one run", TestTimeAveraging.Single.ToString());
        Assert.Throws<ArgumentException>(() => TestTimeAveraging.FromJson("""{"samples":0}"""));
        Assert.Throws<ArgumentException>(() => TestTimeAveraging.FromJson("""{"samples":65}"""));
        Assert.Throws<System.Text.Json.JsonException>(() => TestTimeAveraging.FromJson("""{"samples":"many"}"""));
    }
}
