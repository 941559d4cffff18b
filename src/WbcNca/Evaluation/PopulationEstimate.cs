namespace WbcNca.Evaluation;

/// <summary>
/// The accuracy a model would have on a whole data set, estimated from an evaluation of a per-class subset of it
/// (<c>--limit-per-class</c>): each class's recall on the subset weighted by the class's share of the whole set,
/// Σ_c recall_c · N_c / Σ_c N_c. A capped subset is nearly class-balanced, so its own accuracy is close to the balanced
/// accuracy; this estimate is what compares with an accuracy reported on the full set (e.g. the paper's).
/// </summary>
/// <param name="ClassCounts">Images of each class in the whole set (by class index; classes the subset misses count 0 weight).</param>
/// <param name="Accuracy">Estimated whole-set accuracy, mean over mask seeds.</param>
/// <param name="AccuracyStd">Its population standard deviation over mask seeds.</param>
public sealed record PopulationEstimate(IReadOnlyList<long> ClassCounts, double Accuracy, double AccuracyStd)
{
    /// <summary>The estimate for per-seed metrics of a subset and the whole set's class counts.</summary>
    /// <exception cref="ArgumentException">No class has both whole-set images and subset support.</exception>
    public static PopulationEstimate From(IReadOnlyList<ClassificationMetrics> perSeed, IReadOnlyList<long> classCounts)
    {
        double[] values = perSeed.Select(m => Weighted(m, classCounts)).ToArray();
        double mean = values.Average();
        return new PopulationEstimate(classCounts.ToArray(), mean, Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average()));
    }

    /// <summary>Σ_c recall_c · N_c / Σ_c N_c over the classes with subset support.</summary>
    public static double Weighted(ClassificationMetrics metrics, IReadOnlyList<long> classCounts)
    {
        if (classCounts.Count != metrics.PerClass.Count)
            throw new ArgumentException($"{classCounts.Count} class counts for {metrics.PerClass.Count} classes");
        double sum = 0, weight = 0;
        for (int c = 0; c < classCounts.Count; c++)
        {
            if (classCounts[c] == 0 || metrics.PerClass[c].Support == 0) continue;
            sum += metrics.PerClass[c].Recall * classCounts[c];
            weight += classCounts[c];
        }
        if (weight == 0) throw new ArgumentException("no class has images in both the subset and the whole set");
        return sum / weight;
    }

    /// <summary>The JSON object written under <c>population</c>.</summary>
    public Dictionary<string, object> ToJsonObject() => new()
    {
        ["class_counts"] = ClassCounts,
        ["images"] = ClassCounts.Sum(),
        ["estimated_accuracy"] = Accuracy,
        ["estimated_accuracy_std"] = AccuracyStd,
    };
}
