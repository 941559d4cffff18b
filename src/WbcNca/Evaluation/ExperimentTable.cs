using System.Globalization;
using System.Text;
using System.Text.Json;

namespace WbcNca.Evaluation;

/// <summary>
/// Results of several training seeds on several evaluation sets, summarised as mean ± (population) standard deviation
/// over seeds, like the paper's Table 1; written as Markdown and JSON.
/// </summary>
public sealed class ExperimentTable
{
    private readonly List<(string Set, long Seed, EvaluationReport Report)> rows = [];

    /// <summary>Adds one seed's evaluation on one set.</summary>
    public void Add(string set, long seed, EvaluationReport report) => rows.Add((set, seed, report));

    /// <summary>The evaluation sets, in the order first added.</summary>
    public IReadOnlyList<string> Sets => rows.Select(r => r.Set).Distinct().ToArray();

    /// <summary>Mean and standard deviation over seeds of a metric on a set.</summary>
    public (double Mean, double Std, int Seeds) Summary(string set, Func<ClassificationMetrics, double> metric)
    {
        double[] v = rows.Where(r => r.Set == set).Select(r => metric(r.Report.Primary)).ToArray();
        if (v.Length == 0) return (double.NaN, double.NaN, 0);
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average()), v.Length);
    }

    /// <summary>A Markdown table: one row per set, accuracy, balanced accuracy and macro-F1 in percent, mean ± std.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder("| evaluated on | level | images | seeds | accuracy % | balanced accuracy % | macro-F1 % |\n|---|---|---|---|---|---|---|\n");
        foreach (string set in Sets)
        {
            var first = rows.First(r => r.Set == set).Report;
            string Cell(Func<ClassificationMetrics, double> f)
            {
                var (m, s, _) = Summary(set, f);
                return string.Create(CultureInfo.InvariantCulture, $"{100 * m:0.0} ± {100 * s:0.0}");
            }
            sb.Append(CultureInfo.InvariantCulture, $"| {set} | {first.Primary.Level} | {first.Images} | {Summary(set, m => m.Accuracy).Seeds} | {Cell(m => m.Accuracy)} | {Cell(m => m.BalancedAccuracy)} | {Cell(m => m.MacroF1)} |\n");
        }
        return sb.ToString();
    }

    /// <summary>JSON: per set the summary (mean, std) and the per-seed figures.</summary>
    public string ToJson()
    {
        var o = Sets.ToDictionary(set => set, set => (object)new Dictionary<string, object>
        {
            ["level"] = rows.First(r => r.Set == set).Report.Primary.Level,
            ["images"] = rows.First(r => r.Set == set).Report.Images,
            ["accuracy"] = Pair(Summary(set, m => m.Accuracy)),
            ["balanced_accuracy"] = Pair(Summary(set, m => m.BalancedAccuracy)),
            ["macro_f1"] = Pair(Summary(set, m => m.MacroF1)),
            ["per_seed"] = rows.Where(r => r.Set == set).Select(r => new Dictionary<string, object>
            {
                ["seed"] = r.Seed, ["accuracy"] = r.Report.Primary.Accuracy, ["balanced_accuracy"] = r.Report.Primary.BalancedAccuracy, ["macro_f1"] = r.Report.Primary.MacroF1,
            }).ToArray(),
        });
        return JsonSerializer.Serialize(o, new JsonSerializerOptions { WriteIndented = true });
    }

    private static Dictionary<string, double> Pair((double Mean, double Std, int Seeds) s) => new() { ["mean"] = s.Mean, ["std"] = s.Std };
}
