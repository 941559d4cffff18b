using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using WbcNca.Imaging;

namespace WbcNca.Inference;

/// <summary>What the tool does with one cell's answer.</summary>
public enum AnswerStatus
{
    /// <summary>The class is the answer.</summary>
    Ok,

    /// <summary>A person should look: the model is not confident enough, or its runs disagree.</summary>
    Review,

    /// <summary>The image does not show a white cell (no stained nucleus, or one far too small for a white cell).</summary>
    NotACell,
}

/// <summary>
/// When an answer is given, sent to review or refused as not a white cell, as analysers do (pre-classify, let a
/// technologist confirm, keep an "unidentified" bin). Stored in the model file (chosen on the validation part at the end
/// of training; model files without it review nothing) and overridable per run.
/// </summary>
/// <param name="ReviewBelow">Calibrated top-class probability below which a cell goes to review (0 = never for confidence).</param>
/// <param name="MaxSpread">Standard deviation of the top class over several runs (<c>--samples</c>) above which a cell goes to review.</param>
/// <param name="MinNucleusRedCells">
/// A "nucleus" narrower than this many red-cell diameters (where red cells are measured) is not a white cell's: white-cell
/// nuclei span 0.7–2.4 red-cell diameters in Acevedo-20 (5th–95th percentiles from erythroblasts to monocytes); platelets
/// and debris are smaller.
/// </param>
/// <param name="ChosenOn">How <paramref name="ReviewBelow"/> was chosen (empty when by hand or not at all).</param>
public sealed record DecisionRule(double ReviewBelow = 0, double MaxSpread = 0.15, double MinNucleusRedCells = 0.7, string ChosenOn = "")
{
    /// <summary>The rule of model files without one: only non-cells are refused; nothing goes to review for confidence.</summary>
    public static DecisionRule Default { get; } = new();

    /// <summary>Coverage kept when <see cref="ReviewBelow"/> is chosen on validation.</summary>
    public const double ValidationCoverage = 0.9;

    /// <summary>
    /// The status of one answer and why: <see cref="AnswerStatus.NotACell"/> when <paramref name="location"/> found no
    /// nucleus or one too small for a white cell; <see cref="AnswerStatus.Review"/> when the confidence is below
    /// <see cref="ReviewBelow"/> or the runs' spread above <see cref="MaxSpread"/>; otherwise <see cref="AnswerStatus.Ok"/>.
    /// </summary>
    public (AnswerStatus Status, string Reason) Decide(Prediction prediction, CellLocation? location)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (location is { CellFound: false }) return (AnswerStatus.NotACell, "no stained nucleus found");
        if (location is { CellFound: true, RedCellCount: >= CellLocator.MinRedCells } && location.Cell!.Extent < MinNucleusRedCells * location.RedCellDiameter)
            return (AnswerStatus.NotACell, string.Create(CultureInfo.InvariantCulture,
                $"stained object {location.Cell.Extent / location.RedCellDiameter:0.00} red-cell diameters across, too small for a white cell"));
        float confidence = prediction.Confidence, spread = prediction.ProbabilityStd[prediction.Index];
        if (confidence < ReviewBelow)
            return (AnswerStatus.Review, string.Create(CultureInfo.InvariantCulture, $"confidence {confidence:0.000} below {ReviewBelow:0.000}"));
        if (spread > MaxSpread)
            return (AnswerStatus.Review, string.Create(CultureInfo.InvariantCulture, $"runs disagree (± {spread:0.000} above {MaxSpread:0.000})"));
        return (AnswerStatus.Ok, "");
    }

    /// <summary>The status as written in tables and JSON: ok, review, not_a_cell.</summary>
    public static string Name(AnswerStatus status) => status switch
    {
        AnswerStatus.Review => "review",
        AnswerStatus.NotACell => "not_a_cell",
        _ => "ok",
    };

    /// <summary>JSON options of the stored form.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The stored form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads the stored form.</summary>
    /// <exception cref="JsonException">Not a decision rule, or values out of range.</exception>
    public static DecisionRule FromJson(string json) =>
        (JsonSerializer.Deserialize<DecisionRule>(json, JsonOptions) ?? throw new JsonException("decision rule is null")).Validate();

    /// <summary>Throws <see cref="JsonException"/> for thresholds out of range.</summary>
    public DecisionRule Validate()
    {
        if (!(ReviewBelow >= 0 && ReviewBelow <= 1)) throw new JsonException($"review threshold must be in [0, 1] (got {ReviewBelow})");
        if (!(MaxSpread >= 0)) throw new JsonException($"spread threshold must be ≥ 0 (got {MaxSpread})");
        if (!(MinNucleusRedCells >= 0)) throw new JsonException($"nucleus size threshold must be ≥ 0 (got {MinNucleusRedCells})");
        return this;
    }

    /// <summary>
    /// The rule with <see cref="ReviewBelow"/> at the calibrated confidence that keeps <see cref="ValidationCoverage"/> of
    /// the validation cells (the least confident tenth goes to review).
    /// </summary>
    public static DecisionRule ChooseOnValidation(IReadOnlyList<float> calibratedTopConfidences)
    {
        if (calibratedTopConfidences.Count == 0) return Default;
        float[] sorted = calibratedTopConfidences.OrderByDescending(c => c).ToArray();
        int keep = Math.Max(1, (int)Math.Round(ValidationCoverage * sorted.Length));
        return Default with { ReviewBelow = sorted[keep - 1], ChosenOn = string.Create(CultureInfo.InvariantCulture, $"validation ({sorted.Length} cells, {ValidationCoverage:P0} answered)") };
    }

    /// <summary>One line for people.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"review below confidence {ReviewBelow:0.000}{(ChosenOn.Length > 0 ? $" (chosen on {ChosenOn})" : "")} or spread above {MaxSpread:0.00}; not a cell without a nucleus or one under {MinNucleusRedCells:0.##} red-cell diameters");
}
