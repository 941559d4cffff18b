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
    /// the top-left corner and side, in pixels of the image; the frame may extend past the image).
    /// </remarks>
    /// <remarks>With a decision (<paramref name="status"/>), also <c>status</c> (ok, review, not_a_cell) and <c>reason</c>.</remarks>
    public static Dictionary<string, object> Create(string path, Prediction p, bool withUncertainty, Imaging.CellLocation? location = null,
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
        if (status is { } s)
        {
            o["status"] = DecisionRule.Name(s.Status);
            o["reason"] = s.Reason;
        }
        if (location is not null)
        {
            o["cell_found"] = location.CellFound;
            if (location.CellFound) o["frame"] = new Dictionary<string, object> { ["x"] = location.Left, ["y"] = location.Top, ["side"] = location.SidePixels };
        }
        return o;
    }
}
