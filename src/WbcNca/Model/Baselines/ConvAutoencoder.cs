using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WbcNca.Model.Baselines;

/// <summary>
/// The convolutional autoencoder of the AE-CFE-style baseline (see <see cref="AeCfeConfig"/>): <see cref="Encode"/>
/// maps an image to its bottleneck vector, <see cref="forward"/> reconstructs the image from it.
/// </summary>
public sealed class ConvAutoencoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential encoder;
    private readonly Linear bottleneck;
    private readonly Linear expand;
    private readonly Sequential decoder;
    private readonly int deepChannels;
    private readonly int deepSize;

    /// <summary>Creates the autoencoder for <paramref name="config"/> with libtorch's default initialisation.</summary>
    public ConvAutoencoder(AeCfeConfig config) : base(nameof(ConvAutoencoder))
    {
        config.Validate();
        Runtime.OneDnn.ForCnns();   // before its first convolution (see OneDnn)
        int c = config.BaseChannels;
        int[] widths = [3, c, 2 * c, 4 * c, 8 * c];
        deepChannels = widths[4];
        deepSize = config.ImageSize / 16;
        var down = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < 4; i++)
        {
            down.Add(nn.Conv2d(widths[i], widths[i + 1], kernel_size: 4, stride: 2, padding: 1));
            down.Add(nn.BatchNorm2d(widths[i + 1]));
            down.Add(nn.LeakyReLU(0.2));
        }
        encoder = nn.Sequential(down.ToArray());
        int flat = deepChannels * deepSize * deepSize;
        bottleneck = nn.Linear(flat, config.Bottleneck);
        expand = nn.Linear(config.Bottleneck, flat);
        var up = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 4; i > 0; i--)
        {
            up.Add(nn.ConvTranspose2d(widths[i], widths[i - 1], kernel_size: 4, stride: 2, padding: 1));
            if (i > 1)
            {
                up.Add(nn.BatchNorm2d(widths[i - 1]));
                up.Add(nn.ReLU());
            }
        }
        decoder = nn.Sequential(up.ToArray());
        RegisterComponents();
    }

    /// <summary>Bottleneck vectors (B, bottleneck) of normalised images (B, 3, S, S).</summary>
    public Tensor Encode(Tensor images)
    {
        using var scope = NewDisposeScope();
        Tensor deep = encoder.forward(images);                                 // (B, 8c, S/16, S/16)
        return bottleneck.forward(deep.flatten(1)).MoveToOuterDisposeScope();  // (B, bottleneck)
    }

    /// <summary>Reconstructs normalised images (B, 3, S, S) through the bottleneck.</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        Tensor code = Encode(images);                                                        // (B, bottleneck)
        Tensor deep = nn.functional.relu(expand.forward(code))
                        .view(code.shape[0], deepChannels, deepSize, deepSize);             // (B, 8c, S/16, S/16)
        return decoder.forward(deep).MoveToOuterDisposeScope();                              // (B, 3, S, S)
    }

    /// <summary>MACs of <see cref="Encode"/> for one image of side <paramref name="imageSize"/> (the decoder is not used to classify).</summary>
    public long EncoderMultiplyAccumulates(int imageSize)
    {
        long macs = 0;
        int size = imageSize;
        foreach (Conv2d conv in encoder.children().OfType<Conv2d>())
        {
            size = MacCounter.ConvOutput(size, 4, 2, 1);
            macs += MacCounter.Conv2d(conv.weight!.shape, size, size);
        }
        return macs + MacCounter.Linear(bottleneck.weight!.shape);
    }

    /// <summary>MACs of the decoder for one image (counted for training cost: the autoencoder is trained through it).</summary>
    public long DecoderMultiplyAccumulates()
    {
        long macs = MacCounter.Linear(expand.weight!.shape);
        int size = deepSize;
        foreach (ConvTranspose2d conv in decoder.children().OfType<ConvTranspose2d>())
        {
            macs += MacCounter.ConvTranspose2d(conv.weight!.shape, size, size);
            size = MacCounter.ConvTransposeOutput(size, 4, 2, 1);
        }
        return macs;
    }
}
