namespace WbcNca.Inference;

/// <summary>
/// How the stochastic NCA is run at inference.
/// <list type="bullet">
/// <item>Default: one run with update masks fixed by <see cref="Seed"/> — the same image always gets the same answer.</item>
/// <item><see cref="Samples"/> &gt; 1: the mean of that many runs with masks from seeds Seed, Seed+1, …, with the per-class
/// standard deviation of the probabilities as an uncertainty.</item>
/// <item><see cref="UpdateProbability"/> = 1: every cell updates at every step; deterministic, no masks.</item>
/// </list>
/// </summary>
/// <param name="Samples">Number of stochastic runs to average (≥ 1).</param>
/// <param name="Seed">Seed of the first run's masks.</param>
/// <param name="UpdateProbability">Overrides the model's fire rate p when set (in (0, 1]).</param>
/// <param name="BatchSize">Images per forward pass.</param>
/// <param name="OneCell">
/// One answer per image, as for a single-cell crop, even when the image holds several white cells (a microscope
/// field); by default each white cell the locator finds gets its own answer (<see cref="Imaging.CellLocator.LocateAll"/>).
/// </param>
/// <param name="Views">Run k sees the cell as <see cref="Imaging.DihedralView"/> k (turned and mirrored), k = 0 … Samples − 1.</param>
public sealed record PredictOptions(int Samples = 1, long Seed = 0, double? UpdateProbability = null, int BatchSize = 16, bool OneCell = false, bool Views = false)
{
    /// <summary>
    /// The runs worth computing when <paramref name="samples"/> are asked for: all of them for a stochastic run; for a
    /// deterministic one (fire rate 1, or a baseline), whose runs would all be the same, one — or with
    /// <paramref name="views"/>, one per distinct view, up to <see cref="Imaging.DihedralView.Count"/>.
    /// </summary>
    public static int RunCount(bool deterministic, int samples, bool views) =>
        !deterministic ? samples : views ? Math.Min(samples, Imaging.DihedralView.Count) : 1;

    /// <summary>Throws <see cref="WbcNcaException"/> for out-of-range values.</summary>
    public PredictOptions Validate()
    {
        if (Samples < 1) throw new WbcNcaException($"--samples must be ≥ 1 (got {Samples})");
        if (BatchSize < 1) throw new WbcNcaException($"--batch-size must be ≥ 1 (got {BatchSize})");
        if (UpdateProbability is double p && !(p > 0 && p <= 1)) throw new WbcNcaException($"--update-probability must be in (0, 1] (got {p})");
        return this;
    }
}
