using WbcNca.Imaging;

namespace WbcNca.Inference;

/// <summary>
/// One image file's outcome in <see cref="FilePredictions.Run"/>: its prediction, or (with skipping) why it was skipped.
/// </summary>
/// <param name="Path">The file.</param>
/// <param name="Prediction">The model's answer; null when the file was skipped.</param>
/// <param name="Error">Why the file could not be read; null when it was classified.</param>
public sealed record FilePrediction(string Path, Prediction? Prediction, ImageLoadException? Error)
{
    /// <summary>Where the cell was found (and, for a model that frames its input, framed).</summary>
    public CellLocation? Location { get; init; }

    /// <summary>What to do with the answer (see <see cref="DecisionRule"/>); <see cref="AnswerStatus.Ok"/> for a skipped file.</summary>
    public AnswerStatus Status { get; init; }

    /// <summary>Why the answer is not <see cref="AnswerStatus.Ok"/> (empty when it is).</summary>
    public string Reason { get; init; } = "";
}
