using WbcNca.Imaging;
using static TorchSharp.torch;

namespace WbcNca.Training;

/// <summary>
/// A learnable gain (in log) and offset per colour channel of the normalised input, x · exp(logGain) + offset, starting at
/// the colours as trained; once fitted, folded into fixed normalisation statistics (<see cref="Normalization.WithGainAndOffset"/>).
/// Used by <see cref="HeadAdaptation"/> (<see cref="AdaptedParts.Colour"/>) and <see cref="LabColourFit"/>.
/// </summary>
internal sealed class ColourGain
{
    /// <summary>Suffix of the name of a normalisation whose colours were fitted to a lab.</summary>
    public const string Suffix = "+lab-colours";

    private readonly TorchSharp.Modules.Parameter logGain, offset;

    public ColourGain(Device device)
    {
        logGain = new TorchSharp.Modules.Parameter(zeros([1, 3, 1, 1], device: device));
        offset = new TorchSharp.Modules.Parameter(zeros([1, 3, 1, 1], device: device));
    }

    /// <summary>The two parameters, for an optimiser.</summary>
    public TorchSharp.Modules.Parameter[] Parameters => [logGain, offset];

    /// <summary>The colours of a normalised batch (B, 3, S, S) changed by the gain and offset.</summary>
    public Tensor Apply(Tensor x) => x * logGain.exp() + offset;

    /// <summary>Squared distance from the colours as trained (the log gains and offsets from 0).</summary>
    public Tensor Pull() => logGain.pow(2).sum() + offset.pow(2).sum();

    /// <summary>Gain per channel, as fitted.</summary>
    public float[] Gain => logGain.detach().exp().flatten().cpu().data<float>().ToArray();

    /// <summary>Offset per channel, as fitted.</summary>
    public float[] Offset => offset.detach().flatten().cpu().data<float>().ToArray();
}
