namespace WbcNca.Review;

/// <summary>A stored sample in a list: its name, when it was started and how far its review has come.</summary>
/// <param name="Name">The sample's name.</param>
/// <param name="Created">When its first cell was stored (UTC).</param>
/// <param name="Cells">Its cells.</param>
/// <param name="Reviewed">Cells a person has confirmed or corrected.</param>
/// <param name="ToReview">Cells the model sent to review that nobody has reviewed yet.</param>
public sealed record SampleSummary(string Name, DateTimeOffset Created, int Cells, int Reviewed, int ToReview)
{
    /// <summary>The JSON object: sample, created_at, cells, reviewed, to_review.</summary>
    public Dictionary<string, object> ToJsonObject() => new()
    {
        ["sample"] = Name,
        ["created_at"] = ReviewDatabase.FormatTime(Created),
        ["cells"] = Cells,
        ["reviewed"] = Reviewed,
        ["to_review"] = ToReview,
    };
}
