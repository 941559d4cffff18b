using WbcNca.Imaging;

namespace WbcNca.Inference;

/// <summary>
/// One white cell's outcome in <see cref="FilePredictions.Run"/> (an image with several cells gives one each, in a row),
/// or (with skipping) why an image file was skipped.
/// </summary>
/// <param name="Path">The file.</param>
/// <param name="Prediction">The model's answer; null when the file was skipped.</param>
/// <param name="Error">Why the file could not be read; null when it was classified.</param>
public sealed record FilePrediction(string Path, Prediction? Prediction, ImageLoadException? Error)
{
    /// <summary>Which white cell of the image this is (0: the one a one-cell answer gives; see <see cref="PredictOptions.OneCell"/>).</summary>
    public int Cell { get; init; }

    /// <summary>White cells found in the image (1 for an image with one cell or none, and for every one-cell answer).</summary>
    public int CellsInImage { get; init; } = 1;

    /// <summary>Where the cell was found (and, for a model that frames its input, framed).</summary>
    public CellLocation? Location { get; init; }

    /// <summary>What to do with the answer (see <see cref="DecisionRule"/>); <see cref="AnswerStatus.Ok"/> for a skipped file.</summary>
    public AnswerStatus Status { get; init; }

    /// <summary>Why the answer is not <see cref="AnswerStatus.Ok"/> (empty when it is).</summary>
    public string Reason { get; init; } = "";
}
