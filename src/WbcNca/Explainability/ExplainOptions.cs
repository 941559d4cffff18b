namespace WbcNca.Explainability;

/// <summary>What an explanation computes (how the model is run is <see cref="Inference.PredictOptions"/>).</summary>
/// <param name="Top">r: number of channels shown and scored, the most relevant first (≥ 1).</param>
/// <param name="Epsilon">ε of the LRP rule (≥ 0); 0 conserves relevance exactly (up to the biases' share).</param>
/// <param name="TargetClass">Class to explain (index in the model's class order), or null for the predicted class.</param>
/// <param name="EvolutionEvery">Record the channel maps every this many steps (0: only the final state).</param>
/// <param name="Signal">Signal of the cell mask used by the "where does it look" score.</param>
/// <param name="Cell">Which white cell of the image to explain (0: the first, the one a one-cell answer gives; a field
/// holds several, see <see cref="Imaging.ImagePreprocessor.CellViews"/>).</param>
/// <param name="OneCell">Explain the image as one answer, however many cells it holds (as <c>predict --one-cell</c>).</param>
public sealed record ExplainOptions(int Top = 5, double Epsilon = 0, int? TargetClass = null, int EvolutionEvery = 0, StainSignal Signal = StainSignal.BlueMinusGreen,
    int Cell = 0, bool OneCell = false)
{
    /// <summary>Throws <see cref="WbcNcaException"/> for out-of-range values (class range checked against <paramref name="classes"/> when given).</summary>
    public ExplainOptions Validate(int? classes = null)
    {
        if (Top < 1) throw new WbcNcaException($"--top must be ≥ 1 (got {Top})");
        if (!(Epsilon >= 0) || double.IsInfinity(Epsilon)) throw new WbcNcaException($"--epsilon must be a finite value ≥ 0 (got {Epsilon})");
        if (EvolutionEvery < 0) throw new WbcNcaException($"--evolution-every must be ≥ 0 (got {EvolutionEvery})");
        if (Cell < 0) throw new WbcNcaException($"the cell index must be ≥ 0 (got {Cell}; --cell counts from 1)");
        if (TargetClass is int c && (c < 0 || (classes is int k && c >= k)))
            throw new WbcNcaException($"--class index {c} is out of range 0..{(classes ?? 0) - 1}");
        return this;
    }
}
