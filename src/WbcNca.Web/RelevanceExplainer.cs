using WbcNca.Explainability;
using WbcNca.Inference;

namespace WbcNca.Web;

/// <summary>
/// The paper's explanation for the web page: ε-LRP through the classifier head ranks the pooled NCA channels
/// (<see cref="Explainer"/>); the top channels' final maps and their relevance-weighted overlay on the cell come back
/// as PNGs, with the share of each channel's activation on the cell and the focus score.
/// </summary>
public sealed class RelevanceExplainer : IExplainer
{
    private readonly Explainer explainer;

    /// <summary>Creates the explainer for the server's model and device.</summary>
    public RelevanceExplainer(Checkpoints.ModelBundle bundle, TorchSharp.torch.Device? device = null) =>
        explainer = new Explainer(bundle, device);

    /// <inheritdoc/>
    public string Name => "layer-wise relevance propagation (ε-rule) over the NCA channels";

    /// <inheritdoc/>
    public ExplainResponse Explain(ExplainRequest request)
    {
        var options = new ExplainOptions(Top: request.TopChannels, TargetClass: request.TargetClass, Cell: request.Cell, OneCell: request.OneCell).Validate(request.Model.Classes.Count);
        // The explainer frames and resizes as the model does, so it gets the upload itself (framing the framed view again would zoom in twice).
        Explanation e = explainer.Explain(request.Original ?? request.Image, "upload", options, new PredictOptions(Seed: request.Seed));
        var onCell = e.Focus.Channels.ToDictionary(c => c.Channel, c => c.InsideShare);
        var channels = e.TopChannels
            .Select(c => new ChannelMapResponse(c, e.Relevance.Relevance[c], ExplanationFigure.ChannelMapPng(e, c), onCell.GetValueOrDefault(c, double.NaN)))
            .ToList();
        return new ExplainResponse(e.Relevance.TargetClass, channels, ExplanationFigure.OverlayPng(e), e.Focus.Score, e.Focus.AreaFraction, e.Focus.PooledInsideShare);
    }
}
