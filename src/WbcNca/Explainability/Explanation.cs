using WbcNca.Imaging;
using WbcNca.Inference;

namespace WbcNca.Explainability;

/// <summary>Everything explained about one image.</summary>
/// <param name="Source">Where the image came from (its path, or a name).</param>
/// <param name="Image">The decoded image (original size, 8-bit RGB), for display.</param>
/// <param name="Prediction">The model's answer, identical to <see cref="Predictor"/>'s with the same options.</param>
/// <param name="Relevance">Channel relevances for the explained class (mean over the stochastic runs when there are several).</param>
/// <param name="RelevanceStd">Per-channel standard deviation of the relevance over the runs (zeros for one run).</param>
/// <param name="Maps">Channel maps of the first run (masks from the first seed, as <see cref="Predictor"/> uses for one sample).</param>
/// <param name="TopChannels">The r most relevant channels, most relevant first.</param>
/// <param name="Mask">The cell mask at the maps' size.</param>
/// <param name="Focus">The "where does it look" score of the top channels.</param>
/// <param name="Samples">Number of stochastic runs behind the prediction and relevance.</param>
public sealed record Explanation(
    string Source,
    Rgb8Image Image,
    Prediction Prediction,
    ChannelRelevance Relevance,
    double[] RelevanceStd,
    ChannelMaps Maps,
    int[] TopChannels,
    CellMask Mask,
    FocusScore Focus,
    int Samples)
{
    /// <summary>The decoded image before framing, when the model frames its input (null: <see cref="Image"/> is the whole image).</summary>
    public Rgb8Image? Original { get; init; }

    /// <summary>Which white cell of the image is explained (0: the first).</summary>
    public int Cell { get; init; }

    /// <summary>
    /// Every white cell of the image as the model answers them (two or more for a field, one otherwise; empty when not
    /// recorded), in pixels of <see cref="Original"/> (of <see cref="Image"/> when that is the whole image).
    /// </summary>
    public IReadOnlyList<CellLocation> Cells { get; init; } = [];

    /// <summary>True when the image is a field of several white cells, one of which (<see cref="Cell"/>) is explained.</summary>
    public bool IsField => Cells.Count > 1;

    /// <summary>Where the explained cell is (null when not recorded).</summary>
    public CellLocation? Location => Cell < Cells.Count ? Cells[Cell] : null;
}
