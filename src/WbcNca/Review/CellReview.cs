namespace WbcNca.Review;

/// <summary>
/// One review of a cell, as stored: reviews are appended, never changed, and a cell's current label is its latest
/// review's. The rows of a cell are its audit history.
/// </summary>
/// <param name="Id">The review's number (increasing in the order reviews were stored).</param>
/// <param name="CellId">The cell reviewed.</param>
/// <param name="Label">What the reviewer says the cell is: a class of the cell's model or <see cref="ReviewLabel.NotACell"/>.</param>
/// <param name="Action"><c>confirm</c> when the label is the model's answer, <c>correct</c> otherwise.</param>
/// <param name="Reviewer">Who reviewed (the name the client sent, or <c>local</c>).</param>
/// <param name="Time">When the review was stored (UTC).</param>
public sealed record CellReview(long Id, long CellId, string Label, string Action, string Reviewer, DateTimeOffset Time)
{
    /// <summary>The JSON object: review_id, cell_id, label, action, reviewer, time (ISO 8601, UTC).</summary>
    public Dictionary<string, object> ToJsonObject() => new()
    {
        ["review_id"] = Id,
        ["cell_id"] = CellId,
        ["label"] = Label,
        ["action"] = Action,
        ["reviewer"] = Reviewer,
        ["time"] = ReviewDatabase.FormatTime(Time),
    };
}
