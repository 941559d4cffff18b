using System.Globalization;
using WbcNca.Imaging;

namespace WbcNca.Training;

/// <summary>
/// How a preset is trained unless an option says otherwise: epochs, epoch size, learning rate and schedule,
/// augmentation and input framing, as one <see cref="TrainOptions"/> value. Recipes are data, kept here in one place;
/// <c>wbc-nca info --preset P</c> prints them, <c>wbc-nca train --preset P</c> and the bench scripts use them.
/// </summary>
/// <param name="Preset">The preset's name.</param>
/// <param name="Description">One line on where the recipe comes from.</param>
/// <param name="Options">The recipe (split, fold and seed are the defaults; a run sets its own).</param>
public sealed record TrainingRecipe(string Preset, string Description, TrainOptions Options)
{
    /// <summary>
    /// The paper's recipe: 32 epochs over the training part, batch 16, Adam lr 4·10⁻⁴ decayed ×0.9999 per batch,
    /// rotation by any angle and flips, the whole image normalised with Acevedo-20's statistics.
    /// </summary>
    public static TrainingRecipe Paper { get; } = new("paper", "the paper's: 32 epochs over the training part, Adam 4e-4 ×0.9999 per batch, rotation and flips, whole image", new TrainOptions(Augmentation: new AugmentationOptions()));

    /// <summary>
    /// The compact preset's CPU recipe: 32 epochs over the training part (as the paper; ≈ 1–1.5 h per fold on two
    /// cores), Adam lr 10⁻³ decayed exponentially to a tenth of it over the run, rotation by any angle, flips and
    /// random colour mixing (strength 0.3); the input is the located cell framed at 2.4× its nucleus with its
    /// background and nucleus colours anchored to Acevedo-20's, normalised with Acevedo-20's statistics. Of the inputs
    /// measured on the full schedule (docs/results-cross-lab.md) this one is as accurate in-domain as the whole image
    /// and the only one that does not put other labs' cells into one class.
    /// </summary>
    public static TrainingRecipe Compact { get; } = new("compact",
        "CPU full schedule: 32 epochs over the training part, Adam 1e-3 decayed to a tenth over the run, rotation, flips and colour mixing, the cell framed on its nucleus with anchored colours",
        new TrainOptions(LearningRate: 1e-3, DecayAuto: true, FinalLrFraction: 0.1, Augmentation: new AugmentationOptions { ColorMix = 0.3 },
            Input: new Preprocessing(Framing.Nucleus, NucleusFactor: 2.4, Color: ColorMode.Anchors)));

    /// <summary>The wide preset's recipe: the compact recipe unchanged (≈ 50 min per fold on two cores).</summary>
    public static TrainingRecipe Wide { get; } = Compact with
    {
        Preset = "wide",
        Description = "as compact: 32 epochs over the training part, Adam 1e-3 decayed to a tenth over the run, rotation, flips and colour mixing, the cell framed on its nucleus with anchored colours",
    };

    /// <summary>Every recipe, by preset name.</summary>
    public static IReadOnlyList<TrainingRecipe> All { get; } = [Paper, Compact, Wide];

    /// <summary>The recipe of a preset (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No such preset.</exception>
    public static TrainingRecipe For(string preset) =>
        All.FirstOrDefault(r => string.Equals(r.Preset, preset.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown preset '{preset}' (expected one of: {string.Join(", ", All.Select(r => r.Preset))})");

    /// <summary>The recipe as lines "name: value" for people.</summary>
    public IEnumerable<(string Name, string Value)> Describe()
    {
        TrainOptions o = Options;
        string Num(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
        yield return ("epochs", o.Epochs.ToString(CultureInfo.InvariantCulture));
        yield return ("epoch size", o.EpochSize == 0 ? "the training part (class-balanced draws)" : $"{o.EpochSize} class-balanced draws");
        yield return ("batch size", o.BatchSize.ToString(CultureInfo.InvariantCulture));
        yield return ("learning rate", $"Adam {Num(o.LearningRate)}");
        yield return ("schedule", o.LrSchedule == LearningRateScheduleKind.Cosine ? $"cosine to {Num(o.FinalLrFraction)}× over the run"
            : o.DecayAuto ? $"exponential to {Num(o.FinalLrFraction)}× over the run" : $"×{Num(o.Decay)} per batch");
        if (o.Warmup > 0) yield return ("warm-up", $"{o.Warmup} batches");
        AugmentationOptions a = o.Augment;
        var aug = new List<string>();
        if (a.Rotate) aug.Add("rotation");
        if (a.Flip) aug.Add("flips");
        if (a.AnyZoom) aug.Add($"zoom ≤ {Num(a.Zoom)}");
        if (a.ColorMix > 0) aug.Add($"colour mix {Num(a.ColorMix)}");
        if (a.TightCrop > 0) aug.Add($"tight crops {Num(a.TightCrop)}");
        if (a.Hue > 0) aug.Add($"hue {Num(a.Hue)}");
        if (a.Hed > 0) aug.Add($"HED {Num(a.Hed)}");
        if (a.Brightness > 0) aug.Add($"brightness {Num(a.Brightness)}");
        if (a.Contrast > 0) aug.Add($"contrast {Num(a.Contrast)}");
        if (a.Saturation > 0) aug.Add($"saturation {Num(a.Saturation)}");
        yield return ("augmentation", aug.Count == 0 ? "none" : string.Join(", ", aug));
        yield return ("input", o.InputPreprocessing.ToString());
        yield return ("normalisation", o.Normalization);
    }
}
