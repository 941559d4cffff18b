using WbcNca.Imaging;

namespace WbcNca.Inference;

/// <summary>The JSON object for one prediction, shared by <c>wbc-nca predict --json</c> and the web API.</summary>
public static class PredictionJson
{
    /// <summary>
    /// <c>path</c> (the file, or an uploaded file's name), <c>class</c>, <c>index</c>, <c>confidence</c>, <c>classes</c> (the
    /// model's class names), <c>probabilities</c> and <c>logits</c> (index-aligned with <c>classes</c>), and
    /// <c>probability_std</c> (also aligned) when more than one run was averaged. Each object names its classes, so one
    /// line of <c>predict --json</c> or one element of the web API's <c>predictions</c> reads on its own.
    /// </summary>
    /// <remarks>
    /// With a located cell (<paramref name="location"/>), also <c>cell_found</c> and, when found, <c>frame</c> (x, y of
    /// the top-left corner and side, in pixels of the image; the frame may extend past the image) and <c>box</c> (x, y,
    /// width, height of the nucleus found, in pixels of the image), and <c>red_cells</c> (count and median diameter in
    /// pixels of the isolated red cells measured, the scale of the size rule) when there are any.
    /// </remarks>
    /// <remarks>With a decision (<paramref name="status"/>), also <c>status</c> (ok, review, not_a_cell) and <c>reason</c>.</remarks>
    /// <remarks>For a model with a feature distance, also <c>feature_distance</c> (<see cref="FeatureDistance"/>).</remarks>
    public static Dictionary<string, object> Create(string path, Prediction p, bool withUncertainty, CellLocation? location = null,
        (AnswerStatus Status, string Reason)? status = null)
    {
        var o = new Dictionary<string, object>
        {
            ["path"] = path,
            ["class"] = p.ClassName,
            ["index"] = p.Index,
            ["confidence"] = p.Confidence,
            ["classes"] = p.Classes,
            ["probabilities"] = p.Probabilities,
            ["logits"] = p.Logits,
        };
        if (withUncertainty) o["probability_std"] = p.ProbabilityStd;
        if (!double.IsNaN(p.FeatureDistance)) o["feature_distance"] = p.FeatureDistance;
        if (status is { } s)
        {
            o["status"] = DecisionRule.Name(s.Status);
            o["reason"] = s.Reason;
        }
        if (location is not null)
        {
            o["cell_found"] = location.CellFound;
            if (location.RedCellCount > 0)
                o["red_cells"] = new Dictionary<string, object> { ["count"] = location.RedCellCount, ["diameter"] = Math.Round(location.RedCellDiameter, 1) };
            if (location.CellFound)
            {
                o["frame"] = new Dictionary<string, object> { ["x"] = location.Left, ["y"] = location.Top, ["side"] = location.SidePixels };
                CellCandidate nucleus = location.Cell!;
                o["box"] = new Dictionary<string, object>
                {
                    ["x"] = (int)Math.Round(nucleus.X), ["y"] = (int)Math.Round(nucleus.Y),
                    ["width"] = (int)Math.Round(nucleus.Width), ["height"] = (int)Math.Round(nucleus.Height),
                };
            }
        }
        return o;
    }

    /// <summary>
    /// The JSON object for one image: the fields of <see cref="Create"/> for its first cell (the one a one-cell answer
    /// gives), and <c>cells</c>, one object per white cell found (at least one), each with <c>cell</c> (its index), its
    /// answer, <c>status</c>, <c>reason</c>, <c>frame</c> and <c>box</c> (the nucleus's box in pixels of the image).
    /// A differential count counts the elements of <c>cells</c>.
    /// </summary>
    /// <param name="cells">The cells of one image, in order, as <see cref="FilePredictions.ByImage"/> groups them (all classified).</param>
    /// <param name="withUncertainty">Include <c>probability_std</c>.</param>
    /// <param name="path">The name written as <c>path</c> (default: the cells' file).</param>
    public static Dictionary<string, object> CreateImage(IReadOnlyList<FilePrediction> cells, bool withUncertainty, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count == 0 || cells.Any(c => c.Prediction is null)) throw new ArgumentException("every cell of the image must be classified", nameof(cells));
        FilePrediction Of(int i) => cells[i];
        Dictionary<string, object> Cell(int i) => Create(path ?? Of(i).Path, Of(i).Prediction!, withUncertainty, Of(i).Location, (Of(i).Status, Of(i).Reason));
        Dictionary<string, object> o = Cell(0);
        o["cells"] = cells.Select((_, i) =>
        {
            Dictionary<string, object> c = Cell(i);
            c.Remove("path");
            c.Remove("classes");
            return new Dictionary<string, object> { ["cell"] = i }.Concat(c).ToDictionary();
        }).ToArray();
        return o;
    }
}
