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

    /// <summary>A person should look: the model is not confident enough, its runs disagree, or the input is unlike the cells it learnt.</summary>
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
/// <param name="MaxFeatureDistance">
/// An input farther than this from every class the model learnt (<see cref="FeatureDistance"/>) goes to review: it is
/// not a white cell (a platelet, debris) or one unlike the training data (another lab's stain); 0 = no such rule, as
/// for a model without a feature distance.
/// </param>
/// <param name="FeatureDistanceChosenOn">How <paramref name="MaxFeatureDistance"/> was chosen (empty: on the validation cells alone, <see cref="FeatureCoverage"/>).</param>
public sealed record DecisionRule(double ReviewBelow = 0, double MaxSpread = 0.15, double MinNucleusRedCells = 0.7, string ChosenOn = "", double MaxFeatureDistance = 0,
    string FeatureDistanceChosenOn = "")
{
    /// <summary>The rule of model files without one: only non-cells are refused; nothing goes to review for confidence.</summary>
    public static DecisionRule Default { get; } = new();

    /// <summary>Coverage kept when <see cref="ReviewBelow"/> is chosen on validation.</summary>
    public const double ValidationCoverage = 0.9;

    /// <summary>
    /// The status of one answer and why: <see cref="AnswerStatus.NotACell"/> when <paramref name="location"/> found no
    /// nucleus or one too small for a white cell; <see cref="AnswerStatus.Review"/> when the input lies farther than
    /// <see cref="MaxFeatureDistance"/> from every class, the confidence is below <see cref="ReviewBelow"/> or the runs'
    /// spread above <see cref="MaxSpread"/>; otherwise <see cref="AnswerStatus.Ok"/>.
    /// </summary>
    public (AnswerStatus Status, string Reason) Decide(Prediction prediction, CellLocation? location)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (location is { CellFound: false }) return (AnswerStatus.NotACell, "no stained nucleus found");
        if (location is { CellFound: true, RedCellCount: >= CellLocator.MinRedCells } && location.Cell!.Extent < MinNucleusRedCells * location.RedCellDiameter)
            return (AnswerStatus.NotACell, string.Create(CultureInfo.InvariantCulture,
                $"stained object {location.Cell.Extent / location.RedCellDiameter:0.00} red-cell diameters across, too small for a white cell"));
        float confidence = prediction.Confidence, spread = prediction.ProbabilityStd[prediction.Index];
        // Far from every class: not a white cell, or one from a lab, stain or scanner unlike the training data; a person
        // decides which (the model's class would be a guess either way).
        if (MaxFeatureDistance > 0 && prediction.FeatureDistance > MaxFeatureDistance)
            return (AnswerStatus.Review, string.Create(CultureInfo.InvariantCulture,
                $"unlike the cells the model learnt (feature distance {prediction.FeatureDistance:0.0} above {MaxFeatureDistance:0.0})"));
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
        if (!(MaxFeatureDistance >= 0)) throw new JsonException($"feature distance threshold must be ≥ 0 (got {MaxFeatureDistance})");
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

    /// <summary>Share of the validation cells whose runs agree enough when <see cref="MaxSpread"/> is chosen there.</summary>
    public const double SpreadCoverage = 0.99;

    /// <summary>
    /// The rule with <see cref="MaxSpread"/> chosen on held-out answers averaged over several runs: the top-class spread
    /// that <see cref="SpreadCoverage"/> of them stay under, never below the default 0.15. Views of a cell disagree more
    /// than mask draws do; the averaged confidence already carries that disagreement, so the spread rule only catches
    /// the runs that disagree as few validation cells' do.
    /// </summary>
    /// <param name="spreads">Per held-out cell, the standard deviation over the runs of its top class's calibrated probability.</param>
    public DecisionRule WithSpreadChosenOn(IReadOnlyList<float> spreads)
    {
        ArgumentNullException.ThrowIfNull(spreads);
        if (spreads.Count == 0) return this;
        float[] sorted = spreads.Order().ToArray();
        double quantile = sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(SpreadCoverage * sorted.Length) - 1)];
        return this with { MaxSpread = Math.Max(Default.MaxSpread, quantile) };
    }

    /// <summary>
    /// Per item, the population standard deviation over the runs of the calibrated probability of its top class (the
    /// class of the highest mean), as <see cref="Predictor"/> reports it.
    /// </summary>
    /// <param name="calibratedRuns">Per run, row-major (items × classes) calibrated probabilities.</param>
    /// <param name="classes">Classes per row.</param>
    public static float[] TopClassSpreads(IReadOnlyList<float[]> calibratedRuns, int classes)
    {
        ArgumentNullException.ThrowIfNull(calibratedRuns);
        if (calibratedRuns.Count == 0) throw new ArgumentException("no run", nameof(calibratedRuns));
        int items = calibratedRuns[0].Length / classes, runs = calibratedRuns.Count;
        var spreads = new float[items];
        for (int i = 0; i < items; i++)
        {
            int best = 0;
            double bestMean = double.NegativeInfinity;
            for (int j = 0; j < classes; j++)
            {
                double mean = calibratedRuns.Average(r => (double)r[i * classes + j]);
                if (mean > bestMean) (best, bestMean) = (j, mean);
            }
            double variance = calibratedRuns.Average(r => (r[i * classes + best] - bestMean) * (r[i * classes + best] - bestMean));
            spreads[i] = (float)Math.Sqrt(variance);
        }
        return spreads;
    }

    /// <summary>Share of the validation cells kept when <see cref="MaxFeatureDistance"/> is chosen there (the farthest 3 % are refused).</summary>
    public const double FeatureCoverage = 0.97;

    /// <summary>
    /// Share of the given examples of what is not a white cell (<see cref="WithFeatureDistanceChosenOn"/>'s outliers:
    /// platelets, debris) that the feature-distance threshold sends to review, when such examples are given.
    /// </summary>
    public const double OutlierRefusal = 0.97;

    /// <summary>Fewest validation cells the threshold keeps, whatever the outliers ask for.</summary>
    public const double MinFeatureCoverage = 0.9;

    /// <summary>
    /// The rule with <see cref="MaxFeatureDistance"/> chosen on held-out images: without <paramref name="outlierDistances"/>,
    /// the distance that keeps <see cref="FeatureCoverage"/> of the validation cells (cells the measure was not fitted
    /// on); with examples of what is not a white cell, the larger distance that sends <see cref="OutlierRefusal"/> of
    /// them to review, lowered no further than keeps <see cref="MinFeatureCoverage"/> of the validation cells — and
    /// never above the validation choice, so examples only make the rule stricter.
    /// </summary>
    public DecisionRule WithFeatureDistanceChosenOn(IReadOnlyList<double> validationDistances, IReadOnlyList<double>? outlierDistances = null)
    {
        if (validationDistances.Count == 0) return this;
        double[] sorted = validationDistances.Order().ToArray();
        double Kept(double share) => sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Length), 1, sorted.Length) - 1];
        double threshold = Kept(FeatureCoverage);
        if (outlierDistances is not { Count: > 0 }) return this with { MaxFeatureDistance = threshold, FeatureDistanceChosenOn = "" };
        // The distance below which at most 1 − OutlierRefusal of the outliers lie: those above it go to review.
        double[] outliers = outlierDistances.Order().ToArray();
        int answered = (int)Math.Floor((1 - OutlierRefusal) * outliers.Length);
        double refusing = answered == 0 ? outliers[0] - 1e-9 : outliers[answered - 1];
        double chosen = Math.Min(threshold, Math.Max(refusing, Kept(MinFeatureCoverage)));
        double keptShare = sorted.Count(d => d <= chosen) / (double)sorted.Length;
        double refusedShare = outliers.Count(d => d > chosen) / (double)outliers.Length;
        return this with
        {
            MaxFeatureDistance = chosen,
            FeatureDistanceChosenOn = string.Create(CultureInfo.InvariantCulture,
                $"validation ({sorted.Length} cells, {keptShare:P1} kept) and {outliers.Length} examples of non-white cells ({refusedShare:P1} sent to review)"),
        };
    }

    /// <summary>One line for people.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"review below confidence {ReviewBelow:0.000}{(ChosenOn.Length > 0 ? $" (chosen on {ChosenOn})" : "")} , spread above {MaxSpread:0.00}{(MaxFeatureDistance > 0 ? $" or feature distance above {MaxFeatureDistance:0.0} ({(FeatureDistanceChosenOn.Length > 0 ? $"chosen on {FeatureDistanceChosenOn}" : $"keeps {FeatureCoverage:P0} of the validation cells")})" : "")}; not a cell without a nucleus or one under {MinNucleusRedCells:0.##} red-cell diameters");
}
