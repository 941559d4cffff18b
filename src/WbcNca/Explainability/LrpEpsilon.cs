using WbcNca.Model;

namespace WbcNca.Explainability;

/// <summary>
/// Layer-wise relevance propagation with the ε-rule (paper eq. 7; Montavon et al., "Layer-wise relevance propagation:
/// an overview", 2019) through the classifier head ŷ = W₄ · ReLU(W₃ h + b₃) + b₄, from one class logit back to the
/// n pooled NCA channels h.
/// <para>
/// For a linear layer with inputs aⱼ and outputs zₖ = Σⱼ aⱼ wⱼₖ + bₖ the rule is
/// Rⱼ = Σₖ aⱼ wⱼₖ / (zₖ + ε·sign(zₖ)) · Rₖ, with sign(0) = +1 (a zero denominator passes nothing on).
/// The output layer starts with Rₖ = ŷ_c for the explained class c and 0 for the others; the ReLU passes relevance
/// through unchanged (inactive units carry none, as their aⱼ is 0). What the rule does not pass to the inputs is
/// accounted for, not dropped: bₖ / (zₖ + ε·sign zₖ) · Rₖ goes to the bias, ε·sign(zₖ) / (zₖ + ε·sign zₖ) · Rₖ to the
/// stabiliser, so that logit = Σ relevance + bias shares + ε share holds exactly. With ε = 0 the rule equals
/// gradient × input for this ReLU network.
/// </para>
/// </summary>
public static class LrpEpsilon
{
    /// <summary>Explains class <paramref name="targetClass"/> (or the largest logit when null) of <paramref name="head"/> for one pooled vector.</summary>
    public static ChannelRelevance Explain(ClassifierHead head, ReadOnlySpan<float> pooled, int? targetClass = null, double epsilon = 0)
    {
        var h = new double[pooled.Length];
        for (int i = 0; i < h.Length; i++) h[i] = pooled[i];
        return Explain(HeadWeights.FromHead(head), h, targetClass, epsilon);
    }

    /// <summary>Explains class <paramref name="targetClass"/> (or the largest logit when null) for one pooled vector.</summary>
    /// <exception cref="ArgumentException">The vector's length does not fit, ε is negative or not finite, or the class is out of range.</exception>
    public static ChannelRelevance Explain(HeadWeights weights, ReadOnlySpan<double> pooled, int? targetClass = null, double epsilon = 0)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentException($"epsilon must be a finite value ≥ 0 (got {epsilon})", nameof(epsilon));
        int n = weights.Channels, hidden = weights.Hidden;
        var (z3, logits) = weights.Forward(pooled);
        int c = targetClass ?? ArgMax(logits);
        if (c < 0 || c >= weights.Classes) throw new ArgumentException($"class index {c} is out of range 0..{weights.Classes - 1}", nameof(targetClass));

        // Output layer: relevance ŷ_c on the target, split over the hidden activations, the bias and ε.
        double logit = logits[c];
        var a = new double[hidden];
        for (int j = 0; j < hidden; j++) a[j] = Math.Max(z3[j], 0);
        double dOut = Stabilise(logit, epsilon);
        double scaleOut = dOut == 0 ? 0 : logit / dOut;
        var hiddenRelevance = new double[hidden];
        for (int j = 0; j < hidden; j++) hiddenRelevance[j] = a[j] * weights.W4[c * hidden + j] * scaleOut;
        double outputBias = weights.B4[c] * scaleOut;
        double epsilonShare = (dOut - logit) * scaleOut;

        // The ReLU passes relevance unchanged; the hidden layer splits it over the pooled channels, its biases and ε.
        var relevance = new double[n];
        double hiddenBias = 0;
        for (int j = 0; j < hidden; j++)
        {
            if (hiddenRelevance[j] == 0) continue;
            double d = Stabilise(z3[j], epsilon);
            if (d == 0) continue;
            double s = hiddenRelevance[j] / d;
            int row = j * n;
            for (int i = 0; i < n; i++) relevance[i] += pooled[i] * weights.W3[row + i] * s;
            hiddenBias += weights.B3[j] * s;
            epsilonShare += (d - z3[j]) * s;
        }
        // A hidden unit whose relevance is non-zero but whose stabilised pre-activation is zero cannot exist
        // (its activation would be zero), so nothing is lost in the loop above.
        return new ChannelRelevance(c, epsilon, logit, relevance, hiddenRelevance, outputBias, hiddenBias, epsilonShare);
    }

    /// <summary>z + ε·sign(z) with sign(0) = +1.</summary>
    public static double Stabilise(double z, double epsilon) => z + (z >= 0 ? epsilon : -epsilon);

    private static int ArgMax(double[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
