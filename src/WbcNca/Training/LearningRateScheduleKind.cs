namespace WbcNca.Training;

/// <summary>The shape of the learning rate over a run (after any warm-up).</summary>
public enum LearningRateScheduleKind
{
    /// <summary>Exponential decay per optimiser step: lr₀ · γ^t (the paper's, γ = 0.9999 per batch).</summary>
    Exp,

    /// <summary>Cosine from lr₀ down to the final rate over the run's steps.</summary>
    Cosine,
}
