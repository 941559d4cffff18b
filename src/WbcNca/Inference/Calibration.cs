using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WbcNca.Inference;

/// <summary>
/// Temperature scaling (Guo et al. 2017): the probabilities a model reports are softmax(logits / T), with T fitted on
/// held-out data (the validation part at the end of training) by minimising the negative log-likelihood. T does not
/// change any class decision, only how confident the model says it is; T &gt; 1 softens an over-confident model.
/// Stored in the model file; model files without it have T = 1.
/// </summary>
/// <param name="Temperature">T (1 = the model's own softmax).</param>
/// <param name="FittedOn">What T was fitted on (empty when not fitted).</param>
/// <param name="Images">How many images T was fitted on.</param>
/// <param name="EceBefore">Expected calibration error on those images with T = 1.</param>
/// <param name="EceAfter">Expected calibration error on those images with T.</param>
public sealed record Calibration(double Temperature = 1, string FittedOn = "", int Images = 0, double EceBefore = double.NaN, double EceAfter = double.NaN)
{
    /// <summary>No calibration: T = 1.</summary>
    public static Calibration None { get; } = new();

    /// <summary>Bins of the expected calibration error and the reliability diagram.</summary>
    public const int Bins = 15;

    /// <summary>True when T ≠ 1.</summary>
    [JsonIgnore]
    public bool IsFitted => Temperature != 1;

    /// <summary>
    /// The T in [0.05, 20] that minimises the mean negative log-likelihood of <paramref name="labels"/> under
    /// softmax(log p / T) (= softmax(logits / T)), by golden-section search on log T.
    /// </summary>
    /// <param name="probabilities">Row-major (items × classes) probabilities of the uncalibrated model.</param>
    /// <param name="labels">True class per item.</param>
    /// <param name="classes">Classes per row.</param>
    public static double FitTemperature(ReadOnlySpan<float> probabilities, IReadOnlyList<int> labels, int classes)
    {
        if (labels.Count == 0) return 1;
        float[] p = probabilities.ToArray();
        return MinimizeTemperature(t => NegativeLogLikelihood(p, labels, classes, t));
    }

    /// <summary>The T in [0.05, 20] that minimises <paramref name="loss"/>(T), by golden-section search on log T.</summary>
    public static double MinimizeTemperature(Func<double, double> loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        double Nll(double logT) => loss(Math.Exp(logT));
        double a = Math.Log(0.05), b = Math.Log(20), g = (Math.Sqrt(5) - 1) / 2;
        double c = b - g * (b - a), d = a + g * (b - a), fc = Nll(c), fd = Nll(d);
        for (int i = 0; i < 80 && b - a > 1e-6; i++)
        {
            if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = Nll(c); }
            else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = Nll(d); }
        }
        return Math.Exp((a + b) / 2);
    }

    /// <summary>Mean negative log-likelihood of the labels under the probabilities tempered by <paramref name="temperature"/>.</summary>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> probabilities, IReadOnlyList<int> labels, int classes, double temperature)
    {
        double sum = 0;
        var row = new double[classes];
        for (int i = 0; i < labels.Count; i++)
        {
            TemperedLog(probabilities.Slice(i * classes, classes), temperature, row);
            sum -= row[labels[i]];
        }
        return sum / Math.Max(1, labels.Count);
    }

    /// <summary>
    /// The T in [0.05, 20] that minimises the mean negative log-likelihood of <paramref name="labels"/> under the mean
    /// over runs of softmax(log p_k / T): the answer averaged the way <see cref="Predictor"/> averages several runs
    /// (each run tempered, then the mean). With one run, <see cref="FitTemperature(ReadOnlySpan{float}, IReadOnlyList{int}, int)"/>.
    /// </summary>
    /// <param name="runs">Per run, row-major (items × classes) probabilities of the uncalibrated model.</param>
    /// <param name="labels">True class per item.</param>
    /// <param name="classes">Classes per row.</param>
    public static double FitTemperature(IReadOnlyList<float[]> runs, IReadOnlyList<int> labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("no run to fit on", nameof(runs));
        if (runs.Count == 1) return FitTemperature(runs[0], labels, classes);
        if (labels.Count == 0) return 1;
        return MinimizeTemperature(t => AveragedNegativeLogLikelihood(runs, labels, classes, t));
    }

    /// <summary>Mean negative log-likelihood of the labels under the mean over runs of the probabilities tempered by <paramref name="temperature"/>.</summary>
    public static double AveragedNegativeLogLikelihood(IReadOnlyList<float[]> runs, IReadOnlyList<int> labels, int classes, double temperature)
    {
        ArgumentNullException.ThrowIfNull(runs);
        double sum = 0;
        var row = new double[classes];
        for (int i = 0; i < labels.Count; i++)
        {
            double p = 0;
            foreach (float[] run in runs)
            {
                TemperedLog(run.AsSpan(i * classes, classes), temperature, row);
                p += Math.Exp(row[labels[i]]);
            }
            sum -= Math.Log(Math.Max(p / runs.Count, 1e-300));
        }
        return sum / Math.Max(1, labels.Count);
    }

    /// <summary>The mean over runs of each run's tempered probabilities (<see cref="Apply"/>), as <see cref="Predictor"/> averages runs.</summary>
    public float[] ApplyAveraged(IReadOnlyList<float[]> runs, int classes)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("no run to average", nameof(runs));
        var sum = new double[runs[0].Length];
        foreach (float[] run in runs)
        {
            float[] tempered = Apply(run, classes);
            for (int i = 0; i < sum.Length; i++) sum[i] += tempered[i];
        }
        return sum.Select(v => (float)(v / runs.Count)).ToArray();
    }

    /// <summary>Probabilities tempered by <see cref="Temperature"/>: row-wise softmax(log p / T), a new array.</summary>
    public float[] Apply(ReadOnlySpan<float> probabilities, int classes)
    {
        var result = probabilities.ToArray();
        if (!IsFitted) return result;
        var row = new double[classes];
        for (int i = 0; i < result.Length / classes; i++)
        {
            TemperedLog(probabilities.Slice(i * classes, classes), Temperature, row);
            for (int j = 0; j < classes; j++) result[i * classes + j] = (float)Math.Exp(row[j]);
        }
        return result;
    }

    // log softmax(log p / T) of one row, with p floored at 1e-12.
    private static void TemperedLog(ReadOnlySpan<float> p, double temperature, double[] result)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < p.Length; j++) { result[j] = Math.Log(Math.Max(p[j], 1e-12)) / temperature; max = Math.Max(max, result[j]); }
        double sum = 0;
        for (int j = 0; j < p.Length; j++) sum += Math.Exp(result[j] - max);
        double log = max + Math.Log(sum);
        for (int j = 0; j < p.Length; j++) result[j] -= log;
    }

    /// <summary>
    /// The reliability diagram's bins: the top-class confidence split into <see cref="Bins"/> equal-width bins over
    /// [0, 1]; per bin the mean confidence, the accuracy and the count.
    /// </summary>
    public static IReadOnlyList<(double Confidence, double Accuracy, int Count)> Reliability(ReadOnlySpan<float> probabilities, IReadOnlyList<int> labels, int classes)
    {
        var conf = new double[Bins];
        var correct = new double[Bins];
        var count = new int[Bins];
        for (int i = 0; i < labels.Count; i++)
        {
            ReadOnlySpan<float> row = probabilities.Slice(i * classes, classes);
            int best = 0;
            for (int j = 1; j < classes; j++) if (row[j] > row[best]) best = j;
            int bin = Math.Min(Bins - 1, (int)(row[best] * Bins));
            conf[bin] += row[best];
            if (best == labels[i]) correct[bin]++;
            count[bin]++;
        }
        return Enumerable.Range(0, Bins).Select(k => count[k] == 0 ? (double.NaN, double.NaN, 0) : (conf[k] / count[k], correct[k] / count[k], count[k])).ToArray();
    }

    /// <summary>Expected calibration error: Σ over bins of (count / n) · |accuracy − mean confidence|.</summary>
    public static double ExpectedCalibrationError(ReadOnlySpan<float> probabilities, IReadOnlyList<int> labels, int classes)
    {
        if (labels.Count == 0) return 0;
        return Reliability(probabilities, labels, classes).Where(b => b.Count > 0).Sum(b => (double)b.Count / labels.Count * Math.Abs(b.Accuracy - b.Confidence));
    }

    /// <summary>JSON options of the stored form.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The stored form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads the stored form.</summary>
    /// <exception cref="JsonException">Not a calibration record, or T not positive.</exception>
    public static Calibration FromJson(string json)
    {
        var c = JsonSerializer.Deserialize<Calibration>(json, JsonOptions) ?? throw new JsonException("calibration is null");
        if (!(c.Temperature > 0) || double.IsInfinity(c.Temperature)) throw new JsonException($"calibration temperature must be positive (got {c.Temperature.ToString(CultureInfo.InvariantCulture)})");
        return c;
    }

    /// <summary>One line for people.</summary>
    public override string ToString() => IsFitted
        ? string.Create(CultureInfo.InvariantCulture, $"temperature {Temperature:0.###} (fitted on {Images} {FittedOn} images; expected calibration error {EceBefore:0.000} → {EceAfter:0.000})")
        : "none (temperature 1)";
}
