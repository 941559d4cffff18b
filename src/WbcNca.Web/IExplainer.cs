using WbcNca.Checkpoints;
using WbcNca.Imaging;

namespace WbcNca.Web;

/// <summary>
/// Explains one prediction (paper's explainability, issue [3/6]): which hidden channels carried the decision and
/// where in the cell they were active. The web server calls it from its inference queue (one call at a time per
/// worker) for <c>POST /api/explain</c>; a server started without one answers 501 there and the page hides the panel.
/// </summary>
public interface IExplainer
{
    /// <summary>Name of the method, shown on the page and returned by the API (e.g. "relevance propagation").</summary>
    string Name { get; }

    /// <summary>Explains the model's answer for one image.</summary>
    Explanation Explain(ExplanationRequest request);
}

/// <summary>What the explainer gets.</summary>
/// <param name="Model">The model that classified the image.</param>
/// <param name="Input">The normalised model input, planar 3×S×S.</param>
/// <param name="Image">The image as the model sees it (resized to S×S, 8-bit RGB), for overlays.</param>
/// <param name="TargetClass">Class to explain, or null for the predicted class.</param>
/// <param name="TopChannels">How many of the most relevant channels to return.</param>
/// <param name="Seed">Seed of the update masks (the prediction's).</param>
public sealed record ExplanationRequest(ModelBundle Model, float[] Input, Rgb8Image Image, int? TargetClass, int TopChannels, long Seed)
{
    /// <summary>The upload as decoded, before framing (null: <see cref="Image"/> is all there is).</summary>
    public Rgb8Image? Original { get; init; }
}

/// <summary>The explanation of one prediction.</summary>
/// <param name="ClassIndex">The class explained.</param>
/// <param name="Channels">The most relevant channels, most relevant first.</param>
/// <param name="OverlayPng">A PNG of the relevance drawn over the cell.</param>
public sealed record Explanation(int ClassIndex, IReadOnlyList<ChannelRelevance> Channels, byte[] OverlayPng);

/// <summary>One channel's share of the decision.</summary>
/// <param name="Channel">Channel index in the NCA state.</param>
/// <param name="Relevance">Its relevance for the explained class.</param>
/// <param name="MapPng">A PNG of where the channel is active in the final state.</param>
public sealed record ChannelRelevance(int Channel, double Relevance, byte[] MapPng);
