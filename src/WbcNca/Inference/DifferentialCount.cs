using System.Globalization;
using System.Text;
using System.Text.Json;
using WbcNca.Data;

namespace WbcNca.Inference;

/// <summary>
/// A sample's differential count, as a hematology lab reports it: how many of the answered cells fall into each class,
/// in percent of the answered cells, and per main type (the 13 fine classes grouped into basophil, eosinophil,
/// lymphocyte, monocyte, neutrophil, other). Cells sent to review and images that are not a cell are counted apart and
/// are not in the percentages until a person has placed them.
/// </summary>
/// <param name="Sample">The sample's name.</param>
/// <param name="Classes">The model's class names.</param>
/// <param name="Counts">Answered cells per class (status ok).</param>
/// <param name="Review">Cells sent to review.</param>
/// <param name="NotACell">Images that are not a white cell.</param>
public sealed record DifferentialCount(string Sample, IReadOnlyList<string> Classes, IReadOnlyList<int> Counts, int Review, int NotACell)
{
    /// <summary>Answered cells.</summary>
    public int Answered => Counts.Sum();

    /// <summary>Every image of the sample.</summary>
    public int Total => Answered + Review + NotACell;

    /// <summary>Counts of one sample from its predictions and statuses.</summary>
    public static DifferentialCount From(string sample, IReadOnlyList<string> classes, IEnumerable<(Prediction Prediction, AnswerStatus Status)> answers)
    {
        var counts = new int[classes.Count];
        int review = 0, notACell = 0;
        foreach (var (p, status) in answers)
        {
            switch (status)
            {
                case AnswerStatus.Ok: counts[p.Index]++; break;
                case AnswerStatus.Review: review++; break;
                default: notACell++; break;
            }
        }
        return new DifferentialCount(sample, classes, counts, review, notACell);
    }

    /// <summary>The sample of an image when each folder of images is one sample (<c>--sample-per-folder</c>): its folder's name.</summary>
    public static string SampleOfFolder(string path) => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "";

    /// <summary>Percent of the answered cells in class <paramref name="c"/> (0 when none was answered).</summary>
    public double Percent(int c) => Answered == 0 ? 0 : 100.0 * Counts[c] / Answered;

    /// <summary>
    /// Counts per main type (basophil, eosinophil, lymphocyte, monocyte, neutrophil, other) for a model of the 13 fine
    /// classes; null for another class list.
    /// </summary>
    public IReadOnlyList<(string Type, int Count, double Percent)>? MainTypes()
    {
        if (Classes.Count != CellClasses.FineCount) return null;
        var counts = new int[CellClasses.CoarseCount];
        for (int c = 0; c < Classes.Count; c++) counts[CellClasses.CoarseOf(c)] += Counts[c];
        return CellClasses.Coarse.Select((name, k) => (name, counts[k], Answered == 0 ? 0 : 100.0 * counts[k] / Answered)).ToArray();
    }

    /// <summary>The JSON object: sample, cells (every cell counted: answered, review and not a cell), answered, review, not_a_cell, classes (name → count, percent), main_types.</summary>
    public Dictionary<string, object> ToJsonObject()
    {
        var o = new Dictionary<string, object>
        {
            ["sample"] = Sample,
            ["cells"] = Total,
            ["answered"] = Answered,
            ["review"] = Review,
            ["not_a_cell"] = NotACell,
            ["classes"] = Classes.Select((name, c) => (name, c)).ToDictionary(t => t.name, t => (object)new Dictionary<string, object> { ["count"] = Counts[t.c], ["percent"] = Percent(t.c) }),
        };
        if (MainTypes() is { } types)
            o["main_types"] = types.ToDictionary(t => t.Type, t => (object)new Dictionary<string, object> { ["count"] = t.Count, ["percent"] = t.Percent });
        return o;
    }

    /// <summary>CSV rows "sample,level,class,count,percent" of several samples (level: class, main_type or bin), with a header.</summary>
    public static string ToCsv(IEnumerable<DifferentialCount> samples)
    {
        var sb = new StringBuilder("sample,level,class,count,percent\n");
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        string Q(string v) => v.Contains(',') || v.Contains('"') ? $"\"{v.Replace("\"", "\"\"")}\"" : v;
        foreach (var d in samples)
        {
            for (int c = 0; c < d.Classes.Count; c++) sb.Append($"{Q(d.Sample)},class,{d.Classes[c]},{d.Counts[c]},{F(d.Percent(c))}\n");
            foreach (var (type, count, percent) in d.MainTypes() ?? []) sb.Append($"{Q(d.Sample)},main_type,{type},{count},{F(percent)}\n");
            sb.Append($"{Q(d.Sample)},bin,review,{d.Review},\n");
            sb.Append($"{Q(d.Sample)},bin,not_a_cell,{d.NotACell},\n");
        }
        return sb.ToString();
    }

    /// <summary>JSON array of several samples' objects.</summary>
    public static string ToJson(IEnumerable<DifferentialCount> samples) =>
        JsonSerializer.Serialize(samples.Select(s => s.ToJsonObject()), new JsonSerializerOptions { WriteIndented = true });
}
