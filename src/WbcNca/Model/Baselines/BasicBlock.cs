using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WbcNca.Model.Baselines;

/// <summary>
/// The basic block of ResNet-18/34: two 3×3 convolutions (the first with the stride), each followed by batch
/// normalisation, ReLU after the first and after the residual sum; a 1×1 projection of the input when the shape changes.
/// </summary>
public sealed class BasicBlock : ResidualBlock
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;
    private readonly int stride;

    /// <summary>Creates the block (<paramref name="inChannels"/> → <paramref name="planes"/> channels, <paramref name="stride"/>).</summary>
    public BasicBlock(int inChannels, int planes, int stride) : base(nameof(BasicBlock))
    {
        this.stride = stride;
        conv1 = Conv(inChannels, planes, 3, stride);
        bn1 = nn.BatchNorm2d(planes);
        conv2 = Conv(planes, planes, 3);
        bn2 = nn.BatchNorm2d(planes);
        if (stride != 1 || inChannels != planes)
            downsample = nn.Sequential(Conv(inChannels, planes, 1, stride), nn.BatchNorm2d(planes));
        RegisterComponents();
    }

    /// <summary>Maps (B, in, H, W) to (B, planes, H/stride, W/stride).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor identity = downsample is null ? x : downsample.forward(x);        // (B, planes, H', W')
        Tensor y = nn.functional.relu(bn1.forward(conv1.forward(x)));            // (B, planes, H', W')
        y = bn2.forward(conv2.forward(y));                                       // (B, planes, H', W')
        return nn.functional.relu(y + identity).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override long MultiplyAccumulates(int inputSize, out int outputSize)
    {
        long macs = ConvMacs(conv1, inputSize, stride, out int s1);
        macs += ConvMacs(conv2, s1, 1, out outputSize);
        if (downsample is not null) macs += ConvMacs((Conv2d)downsample.children().First(), inputSize, stride, out _);
        return macs;
    }
}
