namespace WbcNca.Explainability;

/// <summary>
/// The relevance of every pooled NCA channel for one class logit, from <see cref="LrpEpsilon"/>.
/// Relevance is conserved layer by layer up to what the biases and the stabiliser ε absorb:
/// <c>Logit = Relevance.Sum() + OutputBiasShare + HiddenBiasShare + EpsilonShare</c> exactly (with ε = 0, EpsilonShare is 0).
/// Positive relevance: the channel's pooled value speaks for the class; negative: against it.
/// </summary>
/// <param name="TargetClass">Index of the explained class.</param>
/// <param name="Epsilon">The ε of the rule.</param>
/// <param name="Logit">The explained class's logit (the relevance put on the output).</param>
/// <param name="Relevance">Relevance of every pooled channel (n values).</param>
/// <param name="HiddenRelevance">Relevance of every hidden unit of the head (after the ReLU).</param>
/// <param name="OutputBiasShare">Relevance absorbed by the output bias b₄ of the class.</param>
/// <param name="HiddenBiasShare">Relevance absorbed by the hidden biases b₃.</param>
/// <param name="EpsilonShare">Relevance absorbed by the stabiliser ε in both layers (0 for ε = 0).</param>
public sealed record ChannelRelevance(
    int TargetClass,
    double Epsilon,
    double Logit,
    double[] Relevance,
    double[] HiddenRelevance,
    double OutputBiasShare,
    double HiddenBiasShare,
    double EpsilonShare)
{
    /// <summary>Sum of the channel relevances.</summary>
    public double RelevanceSum => Relevance.Sum();

    /// <summary>Sum of what both layers' biases absorb.</summary>
    public double BiasShare => OutputBiasShare + HiddenBiasShare;

    /// <summary>Channel indices ordered by relevance, most relevant (largest signed value) first; ties by index.</summary>
    public int[] Ranking() => Enumerable.Range(0, Relevance.Length).OrderByDescending(i => Relevance[i]).ThenBy(i => i).ToArray();

    /// <summary>The <paramref name="count"/> most relevant channels (largest signed relevance first).</summary>
    public int[] Top(int count) => Ranking().Take(Math.Max(count, 0)).ToArray();
}
