using TorchSharp;
using static TorchSharp.torch;

namespace WbcNca.Model.Baselines;

/// <summary>A residual block of a ResNet-family CNN that can count its own multiply-accumulates.</summary>
public abstract class ResidualBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Names the module.</summary>
    protected ResidualBlock(string name) : base(name) { }

    /// <summary>MACs of the block for one image whose input side is <paramref name="inputSize"/>; <paramref name="outputSize"/> is the side it leaves.</summary>
    public abstract long MultiplyAccumulates(int inputSize, out int outputSize);

    /// <summary>A bias-free convolution with torchvision's initialisation (Kaiming normal, fan-out, ReLU gain).</summary>
    protected static TorchSharp.Modules.Conv2d Conv(int inChannels, int outChannels, int kernel, int stride = 1, int groups = 1)
    {
        var conv = nn.Conv2d(inChannels, outChannels, kernel_size: kernel, stride: stride, padding: kernel / 2, groups: groups, bias: false);
        nn.init.kaiming_normal_(conv.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        return conv;
    }

    /// <summary>MACs of <paramref name="conv"/> (kernel k, padding k/2, <paramref name="stride"/>) on a side of <paramref name="size"/>; <paramref name="outSize"/> is its output side.</summary>
    protected static long ConvMacs(TorchSharp.Modules.Conv2d conv, int size, int stride, out int outSize)
    {
        long[] w = conv.weight!.shape;
        int k = (int)w[2];
        outSize = MacCounter.ConvOutput(size, k, stride, k / 2);
        return MacCounter.Conv2d(w, outSize, outSize);
    }
}
