namespace WbcNca.Training;

/// <summary>
/// A lab's mix of cell types differs from the one a model was fitted on (a peripheral smear holds about 60 %
/// neutrophils; a head adapted on K cells per type was fitted on an even mix). From the model's answers on the lab's
/// unlabelled cells, the expectation-maximisation of Saerens, Latinne and Decaestecker (Neural Computation, 2002)
/// estimates the lab's mix: each answer is reweighted by the ratio of the new to the fitted mix, the mix re-estimated as
/// the mean reweighted answer, until it settles. The ratio, as log-weights added to the logits, moves the model's
/// answers to the lab's mix without any label of the lab.
/// </summary>
/// <param name="Fitted">The mix the model's answers are calibrated to, per group (sums to 1).</param>
/// <param name="Estimated">The lab's mix estimated from its unlabelled cells, per group (sums to 1).</param>
/// <param name="Cells">Unlabelled answers it was estimated from.</param>
/// <param name="Iterations">EM iterations until the mix moved less than 1e-6.</param>
public sealed record LabelShift(double[] Fitted, double[] Estimated, int Cells, int Iterations)
{
    /// <summary>Most EM iterations.</summary>
    public const int MaxIterations = 1000;

    /// <summary>
    /// Estimates the mix of <paramref name="answers"/> (rows of per-group probabilities, items × groups, each row the
    /// model's calibrated answer summed within each group) given the <paramref name="fitted"/> mix they are calibrated
    /// to. Groups with a fitted share of 0 keep 0.
    /// </summary>
    /// <exception cref="ArgumentException">No answer, or a fitted mix that is not a distribution.</exception>
    public static LabelShift Estimate(float[] answers, double[] fitted)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(fitted);
        int g = fitted.Length;
        if (g == 0 || answers.Length == 0 || answers.Length % g != 0) throw new ArgumentException($"answers must be items × {g} groups (got {answers.Length} values)");
        if (fitted.Any(v => !(v >= 0)) || !(fitted.Sum() > 0)) throw new ArgumentException("the fitted mix must be non-negative with a positive sum");
        double total = fitted.Sum();
        double[] train = fitted.Select(v => v / total).ToArray();
        int n = answers.Length / g;
        double[] mix = (double[])train.Clone();
        var posterior = new double[g];
        int iteration = 0;
        for (; iteration < MaxIterations; iteration++)
        {
            var next = new double[g];
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int c = 0; c < g; c++)
                {
                    posterior[c] = train[c] > 0 ? Math.Max(answers[i * g + c], 0) * mix[c] / train[c] : 0;
                    sum += posterior[c];
                }
                if (!(sum > 0)) continue;
                for (int c = 0; c < g; c++) next[c] += posterior[c] / sum;
            }
            double norm = next.Sum();
            if (!(norm > 0)) break;
            double moved = 0;
            for (int c = 0; c < g; c++)
            {
                next[c] /= norm;
                moved = Math.Max(moved, Math.Abs(next[c] - mix[c]));
            }
            mix = next;
            if (moved < 1e-6) { iteration++; break; }
        }
        return new LabelShift(train, mix, n, iteration);
    }

    /// <summary>log(estimated / fitted) per group: what to add to a group's logits (0 for a group without a fitted share).</summary>
    public double[] LogWeights() =>
        Fitted.Select((f, c) => f > 0 && Estimated[c] > 0 ? Math.Log(Estimated[c] / f) : f > 0 ? Math.Log(1e-6 / f) : 0).ToArray();
}
