using System.Globalization;
using System.Text;
using System.Text.Json;

namespace WbcNca.Evaluation;

/// <summary>
/// Results of an experiment's runs (models trained with several seeds, and folds, on several evaluation sets),
/// summarised per model and evaluation set as mean ± (population) standard deviation over the runs, like the paper's
/// Table 1; runs without a result (failed, stopped, not run) are rows of their own, with their status and log, so that
/// a table never hides a missing run. Written as Markdown and JSON.
/// </summary>
public sealed class ExperimentTable
{
    private readonly List<(string Model, string Set, int Fold, long Seed, ExperimentScore Score)> rows = [];
    private readonly List<(string Model, int Fold, long Seed, string Status, string? Log)> missing = [];

    /// <summary>Adds one run's figures (model <paramref name="model"/>, test fold <paramref name="fold"/>, training seed <paramref name="seed"/>) on one set.</summary>
    public void Add(string model, string set, int fold, long seed, ExperimentScore score) => rows.Add((model, set, fold, seed, score));

    /// <summary>Adds a run without a result: <paramref name="status"/> says why (e.g. "failed: …"), <paramref name="log"/> where its log is (null: none).</summary>
    public void AddMissing(string model, int fold, long seed, string status, string? log) => missing.Add((model, fold, seed, status, log));

    /// <summary>The models, in the order first added.</summary>
    public IReadOnlyList<string> Models => rows.Select(r => r.Model).Concat(missing.Select(m => m.Model)).Distinct().ToArray();

    /// <summary>The evaluation sets of <paramref name="model"/>, in the order first added.</summary>
    public IReadOnlyList<string> Sets(string model) => rows.Where(r => r.Model == model).Select(r => r.Set).Distinct().ToArray();

    /// <summary>The runs without a result: model, fold, seed, status and log.</summary>
    public IReadOnlyList<(string Model, int Fold, long Seed, string Status, string? Log)> Missing => missing;

    /// <summary>Mean and standard deviation over the runs of a metric of <paramref name="model"/> on <paramref name="set"/>, and the number of runs.</summary>
    public (double Mean, double Std, int Runs) Summary(string model, string set, Func<ExperimentScore, double> metric)
    {
        double[] v = rows.Where(r => r.Model == model && r.Set == set).Select(r => metric(r.Score)).ToArray();
        if (v.Length == 0) return (double.NaN, double.NaN, 0);
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average()), v.Length);
    }

    /// <summary>
    /// A Markdown table: per model and set the level, images, runs, and accuracy, balanced accuracy and macro-F1 in
    /// percent as mean ± std; then, under the model's rows, one row per run without a result.
    /// </summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder("| model | evaluated on | level | images | runs | accuracy % | balanced accuracy % | macro-F1 % |\n|---|---|---|---|---|---|---|---|\n");
        foreach (string model in Models)
        {
            foreach (string set in Sets(model))
            {
                var runs = rows.Where(r => r.Model == model && r.Set == set).ToList();
                int fewest = runs.Min(r => r.Score.Images), most = runs.Max(r => r.Score.Images);
                string images = fewest == most ? fewest.ToString(CultureInfo.InvariantCulture) : $"{fewest}–{most}";
                string Cell(Func<ExperimentScore, double> f)
                {
                    var (m, s, _) = Summary(model, set, f);
                    return string.Create(CultureInfo.InvariantCulture, $"{100 * m:0.0} ± {100 * s:0.0}");
                }
                sb.Append(CultureInfo.InvariantCulture,
                    $"| {model} | {set} | {runs[0].Score.Level} | {images} | {runs.Count} | {Cell(m => m.Accuracy)} | {Cell(m => m.BalancedAccuracy)} | {Cell(m => m.MacroF1)} |\n");
            }
            foreach (var m in missing.Where(m => m.Model == model))
            {
                string log = m.Log is null ? "" : $"; log `{m.Log}`";
                sb.Append(CultureInfo.InvariantCulture, $"| {model} | fold {m.Fold}, seed {m.Seed}: **{Escape(m.Status)}**{log} | | | | | | |\n");
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// JSON: <c>rows</c> (per model and set: model, evaluated_on, level, images, runs, accuracy, balanced_accuracy and
    /// macro_f1 as mean and std, per_run with each run's fold, seed and figures) and <c>without_result</c> (model, fold,
    /// seed, status, log of each run without a result).
    /// </summary>
    public string ToJson()
    {
        var table = new Dictionary<string, object>
        {
            ["rows"] = Models.SelectMany(model => Sets(model).Select(set =>
            {
                var runs = rows.Where(r => r.Model == model && r.Set == set).ToList();
                return new Dictionary<string, object>
                {
                    ["model"] = model,
                    ["evaluated_on"] = set,
                    ["level"] = runs[0].Score.Level,
                    ["images"] = runs[0].Score.Images,
                    ["runs"] = runs.Count,
                    ["accuracy"] = Pair(Summary(model, set, m => m.Accuracy)),
                    ["balanced_accuracy"] = Pair(Summary(model, set, m => m.BalancedAccuracy)),
                    ["macro_f1"] = Pair(Summary(model, set, m => m.MacroF1)),
                    ["per_run"] = runs.Select(r =>
                    {
                        var o = r.Score.ToJsonObject();
                        o.Remove("level");
                        return new Dictionary<string, object> { ["fold"] = r.Fold, ["seed"] = r.Seed }.Concat(o).ToDictionary();
                    }).ToArray(),
                };
            })).ToArray(),
            ["without_result"] = missing.Select(m => new Dictionary<string, object?>
            {
                ["model"] = m.Model, ["fold"] = m.Fold, ["seed"] = m.Seed, ["status"] = m.Status, ["log"] = m.Log,
            }).ToArray(),
        };
        return JsonSerializer.Serialize(table, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static Dictionary<string, double> Pair((double Mean, double Std, int Runs) s) => new() { ["mean"] = s.Mean, ["std"] = s.Std };

    // A status in a Markdown cell: one line, no column breaks.
    private static string Escape(string text) => text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);
}
