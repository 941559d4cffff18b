using WbcNca.Checkpoints;
using WbcNca.Imaging;

namespace WbcNca.Web;

/// <summary>What an <see cref="IExplainer"/> gets for one image.</summary>
/// <param name="Model">The model that classified the image.</param>
/// <param name="Image">The image as the model sees it (framed, resized to S×S, 8-bit RGB), for overlays.</param>
/// <param name="TargetClass">Class to explain, or null for the predicted class.</param>
/// <param name="TopChannels">How many of the most relevant channels to return.</param>
/// <param name="Seed">Seed of the update masks (the prediction's).</param>
public sealed record ExplainRequest(ModelBundle Model, Rgb8Image Image, int? TargetClass, int TopChannels, long Seed)
{
    /// <summary>The upload as decoded, before framing (null: <see cref="Image"/> is all there is).</summary>
    public Rgb8Image? Original { get; init; }

    /// <summary>Which white cell of <see cref="Original"/> <see cref="Image"/> shows (0: the first; a field holds several).</summary>
    public int Cell { get; init; }

    /// <summary>The image is answered as one cell, however many it holds (<c>one_cell=true</c>).</summary>
    public bool OneCell { get; init; }
}
