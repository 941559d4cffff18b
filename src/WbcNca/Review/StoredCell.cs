using WbcNca.Inference;

namespace WbcNca.Review;

/// <summary>
/// A stored cell as read back: the model's answer as it was given (never changed), its sample and image, and its
/// latest review, whose label is the cell's current label.
/// </summary>
/// <param name="Id">The cell's number (<c>cell_id</c> in the API).</param>
/// <param name="Sample">The sample's name.</param>
/// <param name="FileName">The uploaded file's name.</param>
/// <param name="ImageSha256">SHA-256 of the uploaded bytes (the key of the stored image).</param>
/// <param name="ImageFormat">jpeg, png, bmp or tiff.</param>
/// <param name="Model">The model that answered.</param>
/// <param name="Classes">That model's classes, in its order.</param>
/// <param name="Class">The model's class.</param>
/// <param name="ClassIndex">Its index in <paramref name="Classes"/>.</param>
/// <param name="Confidence">The model's probability of its class.</param>
/// <param name="Probabilities">The model's probabilities, in class order.</param>
/// <param name="ProbabilityStd">Their spread over the stochastic runs, or null for a single run.</param>
/// <param name="Status">ok, review or not_a_cell.</param>
/// <param name="Reason">Why the status (empty for ok).</param>
/// <param name="Time">When the cell was stored (UTC).</param>
/// <param name="Latest">The latest review, or null when nobody has reviewed the cell.</param>
/// <param name="Reviews">How many reviews the cell has.</param>
public sealed record StoredCell(
    long Id, string Sample, string FileName, string ImageSha256, string ImageFormat, ModelIdentity Model, IReadOnlyList<string> Classes,
    string Class, int ClassIndex, double Confidence, float[] Probabilities, float[]? ProbabilityStd, string Status, string Reason,
    DateTimeOffset Time, CellReview? Latest, int Reviews)
{
    /// <summary>Which white cell of its image this is (0: the first), or null for a cell stored before the index was kept.</summary>
    public int? CellIndex { get; init; }

    /// <summary>White cells answered in its image, or null for a cell stored before the count was kept.</summary>
    public int? CellsInImage { get; init; }

    /// <summary>The nucleus's box in pixels of the image, or null (no cell found, or stored before boxes were kept).</summary>
    public CellBox? Box { get; init; }

    /// <summary>The square frame the model saw, or null (no cell found, or stored before frames were kept).</summary>
    public CellBox? Frame { get; init; }

    /// <summary>Who stored the cell, or null (unknown: stored before uploaders were kept).</summary>
    public string? UploadedBy { get; init; }

    /// <summary>True when the cell is one of several in its image (a field): its own image is the part in <see cref="Frame"/>.</summary>
    public bool InField => CellsInImage > 1 && Frame is not null;

    /// <summary>The model's answer as a label: its class, or <see cref="ReviewLabel.NotACell"/> when it found no white cell.</summary>
    public string ModelLabel => Status == DecisionRule.Name(AnswerStatus.NotACell) ? ReviewLabel.NotACell : Class;

    /// <summary>The current label (the latest review's), or null when the cell is not reviewed.</summary>
    public string? Label => Latest?.Label;

    /// <summary>
    /// Where the cell counts in its sample's differential count: its current label when reviewed; unreviewed, the model's
    /// class (status ok), <c>review</c> (not counted until a person places it) or <see cref="ReviewLabel.NotACell"/>.
    /// </summary>
    public string CountedAs => Latest?.Label ?? Status switch
    {
        "ok" => Class,
        "review" => "review",
        _ => ReviewLabel.NotACell,
    };

    /// <summary>
    /// The JSON object: cell_id, sample, file, cell and cells_in_image (where known), box and frame (where known; as the
    /// API's answers give them: x, y and width, height or side), image_sha256, model (file, sha256), class, index,
    /// confidence, probabilities, probability_std (when several runs), status, reason, time, uploaded_by (null when
    /// unknown), label, reviewer,
    /// reviewed_at, reviews, counted_as.
    /// </summary>
    public Dictionary<string, object?> ToJsonObject()
    {
        var o = new Dictionary<string, object?>
        {
            ["cell_id"] = Id,
            ["sample"] = Sample,
            ["file"] = FileName,
        };
        if (CellIndex is int index) o["cell"] = index;
        if (CellsInImage is int count) o["cells_in_image"] = count;
        if (Box is not null) o["box"] = Box.ToJsonObject();
        if (Frame is not null) o["frame"] = new Dictionary<string, object> { ["x"] = Frame.X, ["y"] = Frame.Y, ["side"] = Frame.Width };
        o["image_sha256"] = ImageSha256;
        o["model"] = new Dictionary<string, object> { ["file"] = Model.FileName, ["sha256"] = Model.Sha256 };
        o["class"] = Class;
        o["index"] = ClassIndex;
        o["confidence"] = Confidence;
        o["probabilities"] = Probabilities;
        if (ProbabilityStd is not null) o["probability_std"] = ProbabilityStd;
        o["status"] = Status;
        o["reason"] = Reason;
        o["time"] = ReviewDatabase.FormatTime(Time);
        o["uploaded_by"] = UploadedBy;
        o["label"] = Label;
        o["reviewer"] = Latest?.Reviewer;
        o["reviewed_at"] = Latest is null ? null : ReviewDatabase.FormatTime(Latest.Time);
        o["reviews"] = Reviews;
        o["counted_as"] = CountedAs;
        return o;
    }
}
