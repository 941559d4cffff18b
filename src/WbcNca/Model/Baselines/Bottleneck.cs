using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WbcNca.Model.Baselines;

/// <summary>
/// The bottleneck block of ResNet-50 and ResNeXt (torchvision's "v1.5": the stride sits on the 3×3 convolution):
/// 1×1 (in → width) → grouped 3×3 (width → width, stride) → 1×1 (width → 4·planes), each followed by batch
/// normalisation, ReLU after the first two and after the residual sum; a 1×1 projection of the input when the shape changes.
/// </summary>
public sealed class Bottleneck : ResidualBlock
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;
    private readonly int stride;

    /// <summary>Output channels per plane.</summary>
    public const int Expansion = 4;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Planes (output channels / 4).</param>
    /// <param name="width">Inner width (channels of the grouped 3×3 convolution).</param>
    /// <param name="groups">Groups of the 3×3 convolution.</param>
    /// <param name="stride">Stride of the 3×3 convolution (and of the projection).</param>
    public Bottleneck(int inChannels, int planes, int width, int groups, int stride) : base(nameof(Bottleneck))
    {
        this.stride = stride;
        conv1 = Conv(inChannels, width, 1);
        bn1 = nn.BatchNorm2d(width);
        conv2 = Conv(width, width, 3, stride, groups);
        bn2 = nn.BatchNorm2d(width);
        conv3 = Conv(width, planes * Expansion, 1);
        bn3 = nn.BatchNorm2d(planes * Expansion);
        if (stride != 1 || inChannels != planes * Expansion)
            downsample = nn.Sequential(Conv(inChannels, planes * Expansion, 1, stride), nn.BatchNorm2d(planes * Expansion));
        RegisterComponents();
    }

    /// <summary>Maps (B, in, H, W) to (B, 4·planes, H/stride, W/stride).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor identity = downsample is null ? x : downsample.forward(x);        // (B, 4·planes, H', W')
        Tensor y = nn.functional.relu(bn1.forward(conv1.forward(x)));            // (B, width, H, W)
        y = nn.functional.relu(bn2.forward(conv2.forward(y)));                   // (B, width, H', W')
        y = bn3.forward(conv3.forward(y));                                       // (B, 4·planes, H', W')
        return nn.functional.relu(y + identity).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override long MultiplyAccumulates(int inputSize, out int outputSize)
    {
        long macs = ConvMacs(conv1, inputSize, 1, out int s1);
        macs += ConvMacs(conv2, s1, stride, out int s2);
        macs += ConvMacs(conv3, s2, 1, out outputSize);
        if (downsample is not null) macs += ConvMacs((Conv2d)downsample.children().First(), inputSize, stride, out _);
        return macs;
    }
}
