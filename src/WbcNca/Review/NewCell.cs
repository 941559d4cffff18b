using WbcNca.Inference;

namespace WbcNca.Review;

/// <summary>A cell to store: the uploaded image as it came and the model's answer for it.</summary>
/// <param name="FileName">The file name the client gave.</param>
/// <param name="Image">The uploaded bytes (JPEG, PNG, BMP or TIFF), stored as they are.</param>
/// <param name="Prediction">The model's answer.</param>
/// <param name="Status">ok, review or not_a_cell, as the model's decision rule said.</param>
/// <param name="Reason">Why the status (empty for ok).</param>
/// <param name="WithUncertainty">True when several runs were averaged, so that the spread is stored too.</param>
public sealed record NewCell(string FileName, byte[] Image, Prediction Prediction, AnswerStatus Status, string Reason, bool WithUncertainty)
{
    /// <summary>Which white cell of its image this is (0: the first, the one a one-cell answer gives).</summary>
    public int CellIndex { get; init; }

    /// <summary>White cells answered in the image (1 for a single-cell image and for a one-cell answer).</summary>
    public int CellsInImage { get; init; } = 1;

    /// <summary>The nucleus's box in pixels of the image, or null when no cell was found.</summary>
    public CellBox? Box { get; init; }

    /// <summary>The square frame the model saw (width = height = side), or null when no cell was found.</summary>
    public CellBox? Frame { get; init; }

    /// <summary>Who stored the cell (the user of the request's token, or the name the client gave), or null when unknown.</summary>
    public string? UploadedBy { get; init; }
}
