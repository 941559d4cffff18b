using WbcNca.Training;

namespace WbcNca.Tests.Training;

public sealed class LabelShiftTests
{
    // Answers of a model calibrated to an even mix of two groups (x ~ N(±1, 1), posterior sigmoid(2x)) on a lab whose
    // mix is (0.8, 0.2), plus a third group the model was never fitted on.
    private static float[] Answers(int n, double first, int seed)
    {
        var rng = new Random(seed);
        var answers = new float[n * 3];
        for (int i = 0; i < n; i++)
        {
            bool isFirst = rng.NextDouble() < first;
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            double x = (isFirst ? 1 : -1) + Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            double p = 1 / (1 + Math.Exp(-2 * x));
            (answers[i * 3], answers[i * 3 + 1], answers[i * 3 + 2]) = ((float)(p * 0.99), (float)((1 - p) * 0.99), 0.01f);
        }
        return answers;
    }

    [Fact]
    public void The_lab_mix_is_recovered_from_unlabelled_answers_and_a_group_never_fitted_keeps_no_share()
    {
        LabelShift shift = LabelShift.Estimate(Answers(20000, 0.8, 1), [10, 10, 0]);
        Assert.Equal([0.5, 0.5, 0], shift.Fitted);
        Assert.InRange(shift.Estimated[0], 0.77, 0.83);
        Assert.InRange(shift.Estimated[1], 0.17, 0.23);
        Assert.Equal(0, shift.Estimated[2]);
        Assert.Equal(20000, shift.Cells);
        Assert.InRange(shift.Iterations, 2, LabelShift.MaxIterations - 1);
        double[] w = shift.LogWeights();
        Assert.Equal(Math.Log(shift.Estimated[0] / 0.5), w[0], 9);
        Assert.True(w[1] < 0 && w[2] == 0);
        // The mean answer alone (0.5 + 0.3 × 0.68 ≈ 0.70) underestimates the shift; EM corrects for the overlap.
        float[] a = Answers(20000, 0.8, 1);
        double mean = Enumerable.Range(0, 20000).Average(i => (double)a[i * 3] / (a[i * 3] + a[i * 3 + 1]));
        Assert.True(shift.Estimated[0] > mean + 0.05, $"EM {shift.Estimated[0]:0.000}, mean answer {mean:0.000}");
    }

    [Fact]
    public void Answers_of_the_fitted_mix_leave_it_as_it_was()
    {
        LabelShift shift = LabelShift.Estimate(Answers(20000, 0.5, 2), [1, 1, 0]);
        Assert.InRange(shift.Estimated[0], 0.47, 0.53);
        Assert.Throws<ArgumentException>(() => LabelShift.Estimate([], [1, 1]));
        Assert.Throws<ArgumentException>(() => LabelShift.Estimate([0.5f, 0.5f, 0.1f], [1, 1]));
        Assert.Throws<ArgumentException>(() => LabelShift.Estimate([0.5f, 0.5f], [0, 0]));
    }
}
