using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WbcNca.Model;

/// <summary>
/// The learned local update rule (paper eq. 3): a per-cell two-layer MLP
/// Δs = W₂ · ReLU(W₁ z + b₁) from the 3n-dimensional perception z to an n-dimensional state change.
/// W₂ has no bias and starts at zero, so a fresh NCA starts as the identity map.
/// </summary>
public sealed class UpdateRule : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>Creates the rule for <paramref name="channels"/> state channels and <paramref name="hidden"/> hidden units.</summary>
    public UpdateRule(int channels, int hidden) : base(nameof(UpdateRule))
    {
        fc1 = nn.Linear(3 * channels, hidden, hasBias: true);
        fc2 = nn.Linear(hidden, channels, hasBias: false);
        using (no_grad()) fc2.weight!.zero_();
        RegisterComponents();
    }

    /// <summary>Computes the state change.</summary>
    /// <param name="perception">(…, 3n) perception vectors.</param>
    /// <returns>(…, n) state changes.</returns>
    public override Tensor forward(Tensor perception)
    {
        using var hiddenActivation = nn.functional.relu(fc1.forward(perception));
        return fc2.forward(hiddenActivation);
    }
}
