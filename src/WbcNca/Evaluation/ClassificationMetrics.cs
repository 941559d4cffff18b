using System.Text.Json;
using System.Text.Json.Serialization;

namespace WbcNca.Evaluation;

/// <summary>
/// Summary figures of a confusion matrix. Balanced accuracy is the mean recall over the classes that have items
/// (support &gt; 0); macro-F1 is the mean F1 over the same classes, so classes absent from a data set (the model knows
/// 13, Acevedo-20 has 10) do not count, while predictions into them still count as errors.
/// </summary>
public sealed class ClassificationMetrics
{
    private ClassificationMetrics(ConfusionMatrix confusion, string level)
    {
        Confusion = confusion;
        Level = level;
        int k = confusion.Size;
        var perClass = new ClassMetrics[k];
        long correct = 0;
        for (int c = 0; c < k; c++)
        {
            long tp = confusion[c, c], support = confusion.Support(c), predicted = confusion.Predicted(c);
            correct += tp;
            double precision = predicted > 0 ? (double)tp / predicted : 0;
            double recall = support > 0 ? (double)tp / support : 0;
            double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            perClass[c] = new ClassMetrics(confusion.ClassNames[c], precision, recall, f1, support, predicted);
        }
        PerClass = perClass;
        N = confusion.Total;
        Accuracy = N > 0 ? (double)correct / N : 0;
        var present = perClass.Where(c => c.Support > 0).ToArray();
        BalancedAccuracy = present.Length > 0 ? present.Average(c => c.Recall) : 0;
        MacroF1 = present.Length > 0 ? present.Average(c => c.F1) : 0;
    }

    /// <summary>Computes the metrics of a confusion matrix at the named level (fine or coarse).</summary>
    public static ClassificationMetrics From(ConfusionMatrix confusion, string level = "fine") => new(confusion, level);

    /// <summary>Computes the metrics from true and predicted labels.</summary>
    public static ClassificationMetrics From(IReadOnlyList<string> classNames, IReadOnlyList<int> truth, IReadOnlyList<int> predicted, string level = "fine") =>
        new(ConfusionMatrix.From(classNames, truth, predicted), level);

    /// <summary>The confusion matrix.</summary>
    public ConfusionMatrix Confusion { get; }

    /// <summary>"fine" or "coarse".</summary>
    public string Level { get; }

    /// <summary>Number of items.</summary>
    public long N { get; }

    /// <summary>Share of items predicted correctly.</summary>
    public double Accuracy { get; }

    /// <summary>Mean recall over classes with support.</summary>
    public double BalancedAccuracy { get; }

    /// <summary>Mean F1 over classes with support.</summary>
    public double MacroF1 { get; }

    /// <summary>Per-class precision, recall, F1 and support, in class order.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; }

    /// <summary>
    /// The JSON object printed by <c>evaluate --json</c>: keys <c>accuracy</c>, <c>balanced_accuracy</c>, <c>macro_f1</c>,
    /// <c>n</c>, <c>per_class</c> (name → precision, recall, f1, support, predicted), <c>confusion</c> (classes, rows =
    /// true, columns = predicted) and <c>level</c>.
    /// </summary>
    public Dictionary<string, object> ToJsonObject() => new()
    {
        ["level"] = Level,
        ["n"] = N,
        ["accuracy"] = Accuracy,
        ["balanced_accuracy"] = BalancedAccuracy,
        ["macro_f1"] = MacroF1,
        ["per_class"] = PerClass.ToDictionary(c => c.Name, c => (object)new Dictionary<string, object>
        {
            ["precision"] = c.Precision, ["recall"] = c.Recall, ["f1"] = c.F1, ["support"] = c.Support, ["predicted"] = c.PredictedCount,
        }),
        ["confusion"] = new Dictionary<string, object> { ["classes"] = Confusion.ClassNames, ["matrix"] = Confusion.ToRows() },
    };

    /// <summary>Serialises <see cref="ToJsonObject"/>.</summary>
    public string ToJson(bool indented = false) => JsonSerializer.Serialize(ToJsonObject(), new JsonSerializerOptions { WriteIndented = indented, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });
}
