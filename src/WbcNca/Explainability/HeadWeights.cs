using TorchSharp;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Explainability;

/// <summary>
/// The classifier head's weights as plain arrays (double precision), the form relevance propagation works on:
/// ŷ = W₄ · ReLU(W₃ h + b₃) + b₄ with W₃ of shape (hidden, n) and W₄ of shape (classes, hidden), row-major.
/// </summary>
/// <param name="Channels">n: inputs (pooled channels).</param>
/// <param name="Hidden">Hidden units.</param>
/// <param name="Classes">Outputs (classes).</param>
/// <param name="W3">First layer weights, row-major (hidden × n).</param>
/// <param name="B3">First layer biases (hidden).</param>
/// <param name="W4">Second layer weights, row-major (classes × hidden).</param>
/// <param name="B4">Second layer biases (classes).</param>
public sealed record HeadWeights(int Channels, int Hidden, int Classes, double[] W3, double[] B3, double[] W4, double[] B4)
{
    /// <summary>Copies the weights of <paramref name="head"/>.</summary>
    public static HeadWeights FromHead(ClassifierHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        using var _ = no_grad();
        double[] Read(Tensor t)
        {
            using var c = t.detach().to(ScalarType.Float64, CPU).contiguous();
            return c.data<double>().ToArray();
        }
        int hidden = (int)head.Hidden.weight!.shape[0], channels = (int)head.Hidden.weight!.shape[1], classes = (int)head.Output.weight!.shape[0];
        double[] b3 = head.Hidden.bias is null ? new double[hidden] : Read(head.Hidden.bias);
        double[] b4 = head.Output.bias is null ? new double[classes] : Read(head.Output.bias);
        return new HeadWeights(channels, hidden, classes, Read(head.Hidden.weight!), b3, Read(head.Output.weight!), b4).Validate();
    }

    /// <summary>Throws <see cref="ArgumentException"/> when an array's length does not match the sizes.</summary>
    public HeadWeights Validate()
    {
        if (Channels < 1 || Hidden < 1 || Classes < 1) throw new ArgumentException($"sizes must be ≥ 1 (got n={Channels}, hidden={Hidden}, classes={Classes})");
        if (W3.Length != Hidden * Channels) throw new ArgumentException($"W3 needs {Hidden}×{Channels} values, got {W3.Length}");
        if (B3.Length != Hidden) throw new ArgumentException($"b3 needs {Hidden} values, got {B3.Length}");
        if (W4.Length != Classes * Hidden) throw new ArgumentException($"W4 needs {Classes}×{Hidden} values, got {W4.Length}");
        if (B4.Length != Classes) throw new ArgumentException($"b4 needs {Classes} values, got {B4.Length}");
        return this;
    }

    /// <summary>Computes the hidden pre-activations z₃ = W₃ h + b₃ and the logits for one pooled vector.</summary>
    public (double[] HiddenPre, double[] Logits) Forward(ReadOnlySpan<double> pooled)
    {
        if (pooled.Length != Channels) throw new ArgumentException($"expected {Channels} pooled values, got {pooled.Length}");
        var z3 = new double[Hidden];
        for (int j = 0; j < Hidden; j++)
        {
            double s = B3[j];
            for (int i = 0; i < Channels; i++) s += W3[j * Channels + i] * pooled[i];
            z3[j] = s;
        }
        var logits = new double[Classes];
        for (int c = 0; c < Classes; c++)
        {
            double s = B4[c];
            for (int j = 0; j < Hidden; j++) s += W4[c * Hidden + j] * Math.Max(z3[j], 0);
            logits[c] = s;
        }
        return (z3, logits);
    }
}
