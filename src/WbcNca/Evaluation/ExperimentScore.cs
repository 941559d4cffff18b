using System.Text.Json;

namespace WbcNca.Evaluation;

/// <summary>
/// The figures of one model on one evaluation set that an <see cref="ExperimentTable"/> summarises: the set's level,
/// its number of images, accuracy, balanced accuracy and macro-F1 (<see cref="EvaluationReport.Primary"/>: pooled over
/// the mask seeds when there were several).
/// </summary>
/// <param name="Level">Label level of the set (fine or coarse).</param>
/// <param name="Images">Images evaluated.</param>
/// <param name="Accuracy">Accuracy.</param>
/// <param name="BalancedAccuracy">Balanced accuracy (mean recall over the classes present).</param>
/// <param name="MacroF1">Macro-averaged F1.</param>
public sealed record ExperimentScore(string Level, int Images, double Accuracy, double BalancedAccuracy, double MacroF1)
{
    /// <summary>The figures of <paramref name="report"/> at its primary level.</summary>
    public static ExperimentScore From(EvaluationReport report) =>
        new(report.Primary.Level, report.Images, report.Primary.Accuracy, report.Primary.BalancedAccuracy, report.Primary.MacroF1);

    /// <summary>The JSON object: level, images, accuracy, balanced_accuracy, macro_f1.</summary>
    public Dictionary<string, object> ToJsonObject() => new()
    {
        ["level"] = Level,
        ["images"] = Images,
        ["accuracy"] = Accuracy,
        ["balanced_accuracy"] = BalancedAccuracy,
        ["macro_f1"] = MacroF1,
    };

    /// <summary>Reads an object written by <see cref="ToJsonObject"/>.</summary>
    /// <exception cref="KeyNotFoundException">A key is missing.</exception>
    public static ExperimentScore FromJson(JsonElement o) =>
        new(o.GetProperty("level").GetString() ?? "", o.GetProperty("images").GetInt32(), o.GetProperty("accuracy").GetDouble(),
            o.GetProperty("balanced_accuracy").GetDouble(), o.GetProperty("macro_f1").GetDouble());
}
