using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WbcNca.Inference;

/// <summary>
/// How unlike the white cells a model was trained on an input is: the Mahalanobis distance of its pooled NCA state (the
/// head's input, one value per channel) to the nearest class mean, with one covariance shared by the classes (Lee et al.
/// 2018), fitted on the training part at the end of training. Platelets, debris and other things that are not white
/// cells end up far from every class even when the head is confident about them; the threshold that refuses them is
/// part of the <see cref="DecisionRule"/> (<see cref="DecisionRule.MaxFeatureDistance"/>), chosen on the validation part.
/// Stored in the model file; model files without it have none (no input is refused for its distance).
/// </summary>
public sealed record FeatureDistance
{
    /// <summary>Creates the measure from class means (classes × dimension, row-major) and the shared precision matrix (dimension × dimension).</summary>
    public FeatureDistance(int classes, int dimension, float[] means, float[] precision, string fittedOn, int images)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (means.Length != classes * dimension) throw new ArgumentException($"expected {classes}×{dimension} class means, got {means.Length} values", nameof(means));
        if (precision.Length != dimension * dimension) throw new ArgumentException($"expected a {dimension}×{dimension} precision matrix, got {precision.Length} values", nameof(precision));
        if (means.Any(v => !float.IsFinite(v)) || precision.Any(v => !float.IsFinite(v))) throw new ArgumentException("class means and precision must be finite");
        Classes = classes;
        Dimension = dimension;
        Means = means;
        Precision = precision;
        FittedOn = fittedOn;
        Images = images;
    }

    /// <summary>Classes (rows of <see cref="Means"/>; those without training images are skipped, see <see cref="Present"/>).</summary>
    public int Classes { get; }

    /// <summary>Feature dimension (the NCA's channels).</summary>
    public int Dimension { get; }

    /// <summary>Class means, classes × dimension, row-major.</summary>
    public float[] Means { get; }

    /// <summary>Inverse of the shared (shrunk) covariance, dimension × dimension.</summary>
    public float[] Precision { get; }

    /// <summary>What it was fitted on.</summary>
    public string FittedOn { get; }

    /// <summary>How many images it was fitted on.</summary>
    public int Images { get; }

    /// <summary>Which classes had training images (the others are left out of the nearest-mean search).</summary>
    public bool[] Present { get; init; } = [];

    /// <summary>Share of the mean variance added to the covariance's diagonal before inverting it.</summary>
    public const double Shrinkage = 1e-3;

    /// <summary>Distance of one feature vector (length <see cref="Dimension"/>) to the nearest class mean.</summary>
    public double Distance(ReadOnlySpan<float> features)
    {
        if (features.Length != Dimension) throw new ArgumentException($"expected {Dimension} features, got {features.Length}", nameof(features));
        var z = new double[Dimension];
        double best = double.PositiveInfinity;
        for (int k = 0; k < Classes; k++)
        {
            if (Present.Length == Classes && !Present[k]) continue;
            for (int j = 0; j < Dimension; j++) z[j] = features[j] - Means[k * Dimension + j];
            double q = 0;
            for (int a = 0; a < Dimension; a++)
            {
                double row = 0;
                for (int b = 0; b < Dimension; b++) row += Precision[a * Dimension + b] * z[b];
                q += z[a] * row;
            }
            best = Math.Min(best, q);
        }
        return Math.Sqrt(Math.Max(0, best));
    }

    /// <summary>
    /// Fits class means and the shared covariance (shrunk by <see cref="Shrinkage"/> of the mean variance) on
    /// <paramref name="features"/> (items × dimension, row-major) with their <paramref name="labels"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No items, or the covariance cannot be inverted.</exception>
    public static FeatureDistance Fit(ReadOnlySpan<float> features, IReadOnlyList<int> labels, int classes, string fittedOn)
    {
        int n = labels.Count;
        if (n == 0) throw new ArgumentException("no features to fit on", nameof(labels));
        int d = features.Length / n;
        if (d * n != features.Length) throw new ArgumentException($"{features.Length} values are not {n} rows of features", nameof(features));
        var means = new double[classes * d];
        var counts = new int[classes];
        for (int i = 0; i < n; i++)
        {
            counts[labels[i]]++;
            for (int j = 0; j < d; j++) means[labels[i] * d + j] += features[i * d + j];
        }
        for (int k = 0; k < classes; k++)
            for (int j = 0; j < d; j++) means[k * d + j] /= Math.Max(1, counts[k]);
        var cov = new double[d * d];
        var r = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) r[j] = features[i * d + j] - means[labels[i] * d + j];
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) cov[a * d + b] += r[a] * r[b];
        }
        double trace = 0;
        for (int a = 0; a < d * d; a++) cov[a] /= n;
        for (int a = 0; a < d; a++) trace += cov[a * d + a];
        for (int a = 0; a < d; a++) cov[a * d + a] += Shrinkage * Math.Max(trace / d, 1e-12);
        double[] precision = Invert(cov, d);
        return new FeatureDistance(classes, d, means.Select(v => (float)v).ToArray(), precision.Select(v => (float)v).ToArray(), fittedOn, n)
        {
            Present = counts.Select(c => c > 0).ToArray(),
        };
    }

    // Gauss-Jordan elimination with partial pivoting on a symmetric positive definite matrix.
    private static double[] Invert(double[] matrix, int d)
    {
        var m = new double[d, 2 * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++) m[i, j] = matrix[i * d + j];
            m[i, d + i] = 1;
        }
        for (int c = 0; c < d; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < d; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c])) pivot = r;
            if (Math.Abs(m[pivot, c]) < 1e-300) throw new ArgumentException("the feature covariance cannot be inverted");
            if (pivot != c)
                for (int j = 0; j < 2 * d; j++) (m[c, j], m[pivot, j]) = (m[pivot, j], m[c, j]);
            double p = m[c, c];
            for (int j = 0; j < 2 * d; j++) m[c, j] /= p;
            for (int r = 0; r < d; r++)
            {
                if (r == c || m[r, c] == 0) continue;
                double f = m[r, c];
                for (int j = 0; j < 2 * d; j++) m[r, j] -= f * m[c, j];
            }
        }
        var result = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) result[i * d + j] = m[i, d + j];
        return result;
    }

    /// <summary>The stored form (JSON).</summary>
    public string ToJson() => new JsonObject
    {
        ["classes"] = Classes,
        ["dimension"] = Dimension,
        ["fitted_on"] = FittedOn,
        ["images"] = Images,
        ["present"] = new JsonArray(Present.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
        ["means"] = new JsonArray(Means.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
        ["precision"] = new JsonArray(Precision.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
    }.ToJsonString();

    /// <summary>Reads the stored form.</summary>
    /// <exception cref="JsonException">Not a feature distance.</exception>
    public static FeatureDistance FromJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            JsonElement o = doc.RootElement;
            float[] Floats(string key) => o.GetProperty(key).EnumerateArray().Select(e => e.GetSingle()).ToArray();
            return new FeatureDistance(o.GetProperty("classes").GetInt32(), o.GetProperty("dimension").GetInt32(), Floats("means"), Floats("precision"),
                o.GetProperty("fitted_on").GetString() ?? "", o.GetProperty("images").GetInt32())
            {
                Present = o.TryGetProperty("present", out JsonElement p) ? p.EnumerateArray().Select(e => e.GetBoolean()).ToArray() : [],
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new JsonException($"not a feature distance: {e.Message}");
        }
    }

    /// <summary>One line for people.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Mahalanobis distance of the pooled state ({Dimension} channels) to the nearest of {Present.Count(p => p)} class means, fitted on {FittedOn} ({Images} images)");
}
