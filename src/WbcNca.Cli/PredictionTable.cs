using System.Globalization;
using System.Text;
using WbcNca.Inference;

namespace WbcNca.Cli;

/// <summary>
/// The table <c>predict</c> prints: image, class, probability, (± std,) runner-up. Column widths are fixed from the
/// paths and class names known beforehand, so each row is written as soon as its image is classified and nothing is
/// held back: a run over 100,000 images prints as it goes and keeps no rows in memory.
/// </summary>
public sealed class PredictionTable
{
    private readonly TextWriter output;
    private readonly IReadOnlyList<string> classes;
    private readonly bool withUncertainty;
    private readonly bool withCell;
    private readonly int pathWidth;
    private readonly int classWidth;

    /// <summary>Creates the table.</summary>
    /// <param name="output">Where rows go.</param>
    /// <param name="classes">The model's class names.</param>
    /// <param name="longestPath">Length of the longest path to be listed (wider paths still print whole).</param>
    /// <param name="withUncertainty">Add the ± std column.</param>
    /// <param name="withCell">Add the "cell" column: whether the cell locator found a cell (the model frames its input).</param>
    public PredictionTable(TextWriter output, IReadOnlyList<string> classes, int longestPath, bool withUncertainty, bool withCell = false)
    {
        this.withCell = withCell;
        this.output = output;
        this.classes = classes;
        this.withUncertainty = withUncertainty;
        pathWidth = Math.Clamp(longestPath, "image".Length, 120);
        classWidth = Math.Max("class".Length, classes.Max(c => c.Length));
    }

    /// <summary>Writes the header and its rule.</summary>
    public void WriteHeader()
    {
        string header = Row("image", "class", "probability", "± std", "cell", "status", "runner-up");
        output.WriteLine(header);
        output.WriteLine(new string('-', header.Length));
    }

    /// <summary>Writes the row of one image.</summary>
    /// <param name="path">The image.</param>
    /// <param name="p">Its prediction.</param>
    /// <param name="location">Where its cell was found (shown as "found" or "none" in the cell column).</param>
    /// <param name="status">What to do with the answer (ok, review, not_a_cell).</param>
    public void Write(string path, Prediction p, Imaging.CellLocation? location = null, AnswerStatus status = AnswerStatus.Ok)
    {
        int second = Enumerable.Range(0, p.Probabilities.Length).Where(i => i != p.Index).DefaultIfEmpty(p.Index).MaxBy(i => p.Probabilities[i]);
        output.WriteLine(Row(path, p.ClassName, Format(p.Confidence), Format(p.ProbabilityStd[p.Index]), location is null ? "–" : location.CellFound ? "found" : "none", DecisionRule.Name(status), $"{classes[second]} {Format(p.Probabilities[second])}"));
    }

    private string Row(string path, string className, string probability, string std, string cell, string status, string runnerUp)
    {
        var sb = new StringBuilder();
        sb.Append(path.PadRight(pathWidth)).Append("  ").Append(className.PadRight(classWidth)).Append("  ").Append(probability.PadLeft("probability".Length));
        if (withUncertainty) sb.Append("  ").Append(std.PadLeft(6));
        if (withCell) sb.Append("  ").Append(cell.PadRight(5));
        sb.Append("  ").Append(status.PadRight("not_a_cell".Length));
        sb.Append("  ").Append(runnerUp);
        return sb.ToString().TrimEnd();
    }

    private static string Format(float v) => v.ToString("0.000", CultureInfo.InvariantCulture);
}
