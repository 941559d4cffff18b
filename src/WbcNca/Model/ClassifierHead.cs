using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WbcNca.Model;

/// <summary>
/// The classifier on the pooled channel vector (paper eq. 6): ŷ = W₄ · ReLU(W₃ h + b₃) + b₄,
/// giving one logit per class.
/// </summary>
public sealed class ClassifierHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>Creates the head for <paramref name="channels"/> inputs, <paramref name="hidden"/> hidden units, <paramref name="classes"/> outputs.</summary>
    public ClassifierHead(int channels, int hidden, int classes) : base(nameof(ClassifierHead))
    {
        fc1 = nn.Linear(channels, hidden);
        fc2 = nn.Linear(hidden, classes);
        RegisterComponents();
    }

    /// <summary>First layer (W₃, b₃), exposed for relevance propagation.</summary>
    public Linear Hidden => fc1;

    /// <summary>Second layer (W₄, b₄), exposed for relevance propagation.</summary>
    public Linear Output => fc2;

    /// <summary>Maps (B, n) pooled vectors to (B, classes) logits.</summary>
    public override Tensor forward(Tensor pooled)
    {
        using var hiddenActivation = nn.functional.relu(fc1.forward(pooled));
        return fc2.forward(hiddenActivation);
    }
}
