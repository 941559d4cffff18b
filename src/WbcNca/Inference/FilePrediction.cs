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
    /// <summary>Where the cell was found and framed (null when the model's preprocessing does not look for it).</summary>
    public CellLocation? Location { get; init; }
}
