namespace WbcNca.Training;

/// <summary>Exponential decay per optimiser step (batch): lr(t) = lr₀ · γ^t, as the reference code's ExponentialLR stepped every batch.</summary>
/// <param name="InitialRate">lr₀.</param>
/// <param name="Gamma">γ per batch.</param>
public sealed record LearningRateSchedule(double InitialRate, double Gamma)
{
    /// <summary>The rate used for optimiser step <paramref name="step"/> (0-based).</summary>
    public double RateAt(long step) => InitialRate * Math.Pow(Gamma, step);
}
