using System.Text.Json;
using System.Text.Json.Serialization;

namespace WbcNca.Evaluation;

/// <summary>
/// An evaluation over one or more mask seeds: the primary metrics (the data set's level; pooled over seeds, so accuracy
/// and balanced accuracy are the means over seeds), the coarse-level metrics when the data set is labelled with fine
/// classes, the five-type metrics when it is labelled with coarse classes, and the per-seed figures with their
/// standard deviations.
/// </summary>
/// <param name="Primary">Metrics at the data set's own level: fine for a fine-labelled set, coarse for a coarse one (its <see cref="ClassificationMetrics.Level"/> tells which).</param>
/// <param name="Coarse">Coarse-level metrics of a fine-labelled set (null for a coarse set: then <paramref name="Primary"/> is coarse).</param>
/// <param name="Images">Images evaluated.</param>
/// <param name="MaskSeeds">The update-mask seeds.</param>
/// <param name="PerSeed">Metrics of each seed at the primary level.</param>
/// <param name="Normalization">Normalisation used.</param>
/// <param name="Population">When a per-class subset was evaluated: the accuracy estimated for the whole set's class mix.</param>
public sealed record EvaluationReport(ClassificationMetrics Primary, ClassificationMetrics? Coarse, int Images, IReadOnlyList<long> MaskSeeds, IReadOnlyList<ClassificationMetrics> PerSeed, string Normalization,
    PopulationEstimate? Population = null)
{
    /// <summary>
    /// For a coarse-labelled set: metrics over the five main types alone (the arg-max over only their classes, see
    /// <see cref="Evaluator.FiveTypePredictions"/>), pooled over seeds, on the set's cells of those types; otherwise null.
    /// </summary>
    public ClassificationMetrics? FiveTypes { get; init; }

    /// <summary>Mask draws averaged per seed before the arg-max (test-time averaging); 1 = one draw per seed.</summary>
    public int Samples { get; init; } = 1;

    /// <summary>Whether the averaged draws each saw another rotation or mirror image of the cell (<c>--views</c>).</summary>
    public bool Views { get; init; }

    /// <summary>Calibration and coverage of the confidences (null for reports made without them).</summary>
    public ConfidenceReport? Confidence { get; init; }

    /// <summary>Mean and population standard deviation over seeds of a per-seed value.</summary>
    public (double Mean, double Std) OverSeeds(Func<ClassificationMetrics, double> value)
    {
        double[] v = PerSeed.Select(value).ToArray();
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average()));
    }

    /// <summary>
    /// The JSON object of <c>evaluate --json</c>: the primary metrics' keys, plus images, mask_seeds, samples, per_seed, *_std,
    /// normalization, coarse (a fine-labelled set), five_types (a coarse-labelled set) and (for a subset) population.
    /// </summary>
    public Dictionary<string, object> ToJsonObject()
    {
        var o = Primary.ToJsonObject();
        o["n"] = Images;
        o["images"] = Images;
        o["mask_seeds"] = MaskSeeds;
        o["samples"] = Samples;
        o["views"] = Views;
        o["normalization"] = Normalization;
        o["accuracy_std"] = OverSeeds(m => m.Accuracy).Std;
        o["balanced_accuracy_std"] = OverSeeds(m => m.BalancedAccuracy).Std;
        o["macro_f1_std"] = OverSeeds(m => m.MacroF1).Std;
        o["per_seed"] = PerSeed.Select((m, i) => new Dictionary<string, object> { ["seed"] = MaskSeeds[i], ["accuracy"] = m.Accuracy, ["balanced_accuracy"] = m.BalancedAccuracy, ["macro_f1"] = m.MacroF1 }).ToArray();
        if (Confidence is not null) o["confidence"] = Confidence.ToJsonObject();
        if (Population is not null) o["population"] = Population.ToJsonObject();
        if (Coarse is not null)
        {
            var c = Coarse.ToJsonObject();
            c["n"] = Images;
            o["coarse"] = c;
        }
        if (FiveTypes is not null)
        {
            var f = FiveTypes.ToJsonObject();
            f["n"] = FiveTypes.N / MaskSeeds.Count;   // images of the five main types (the matrix pools the seeds)
            o["five_types"] = f;
        }
        return o;
    }

    /// <summary>Serialises <see cref="ToJsonObject"/>.</summary>
    public string ToJson(bool indented = true) => JsonSerializer.Serialize(ToJsonObject(), new JsonSerializerOptions { WriteIndented = indented, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });
}
