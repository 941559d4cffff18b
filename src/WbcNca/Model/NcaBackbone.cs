using TorchSharp;
using static TorchSharp.torch;

namespace WbcNca.Model;

/// <summary>
/// The neural cellular automaton (paper eq. 1–4): the image's colour channels are padded with n − 3 zero
/// hidden channels; then for k steps every cell perceives its neighbourhood, computes an update with the
/// shared rule and applies it where the step's mask is 1: s ← s + m ⊙ Δs. The colour channels are
/// reset to the input after every step, so only the hidden channels evolve.
/// </summary>
public sealed class NcaBackbone : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Perception perception;
    private readonly UpdateRule update;
    private readonly int channels;
    private readonly int colorChannels;
    private readonly int steps;

    /// <summary>Creates the NCA for the given configuration.</summary>
    public NcaBackbone(NcaConfig config) : base(nameof(NcaBackbone))
    {
        channels = config.Channels;
        colorChannels = config.ColorChannels;
        steps = config.Steps;
        perception = new Perception(config.Channels);
        update = new UpdateRule(config.Channels, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>Builds the initial state: colour channels followed by zeros.</summary>
    /// <param name="image">Normalised image (B, 3, H, W).</param>
    /// <returns>State (B, H, W, n), channels last.</returns>
    public Tensor Seed(Tensor image)
    {
        using var scope = NewDisposeScope();
        Tensor color = image.permute(0, 2, 3, 1);                                    // (B, H, W, 3)
        Tensor hidden = zeros([color.shape[0], color.shape[1], color.shape[2], channels - colorChannels],
                              dtype: image.dtype, device: image.device);             // (B, H, W, n−3)
        return cat([color, hidden], dim: 3).MoveToOuterDisposeScope();
    }

    /// <summary>One NCA step (eq. 1–4) with mask <paramref name="mask"/> of shape (B or 1, H, W, 1), or every cell when null.</summary>
    /// <param name="state">(B, H, W, n) state.</param>
    /// <param name="color">(B, H, W, 3) input colour channels, restored after the update.</param>
    /// <param name="mask">(B or 1, H, W, 1) update mask, or null to update every cell.</param>
    public Tensor Step(Tensor state, Tensor color, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        Tensor delta = update.forward(perception.forward(state));                    // (B, H, W, n)
        Tensor hiddenDelta = delta.narrow(3, colorChannels, channels - colorChannels); // (B, H, W, n−3)
        if (mask is not null) hiddenDelta = hiddenDelta * mask;
        Tensor hidden = state.narrow(3, colorChannels, channels - colorChannels) + hiddenDelta;
        return cat([color, hidden], dim: 3).MoveToOuterDisposeScope();               // (B, H, W, n)
    }

    /// <summary>
    /// Runs all k steps like <see cref="forward"/> and also returns the intermediate states, for explanations:
    /// the seed (step 0), then the state after every <paramref name="every"/>-th step, and always the final state (step k).
    /// </summary>
    /// <param name="image">Normalised image (B, 3, H, W).</param>
    /// <param name="masks">(k, B or 1, H, W, 1) masks, or null to update every cell at every step.</param>
    /// <param name="every">Keep every this many steps (≥ 1); k or more keeps only the seed and the final state.</param>
    /// <returns>(step, state (B, H, W, n)) pairs in step order; the caller owns (disposes) the tensors.</returns>
    public IReadOnlyList<(int Step, Tensor State)> Trajectory(Tensor image, Tensor? masks, int every = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        if (masks is not null && masks.shape[0] < steps)
            throw new ArgumentException($"expected masks for {steps} steps, got {masks.shape[0]}");
        var kept = new List<(int, Tensor)>();
        using var scope = NewDisposeScope();
        Tensor state = Seed(image);
        Tensor color = state.narrow(3, 0, colorChannels);
        kept.Add((0, state));
        for (int t = 1; t <= steps; t++)
        {
            Tensor next = Step(state, color, masks?[t - 1]);
            if (t > 1 && (t - 1) % every != 0) state.Dispose();   // an intermediate state nobody keeps
            state = next;
            if (t % every == 0 || t == steps) kept.Add((t, state));
        }
        foreach (var (_, s) in kept) s.MoveToOuterDisposeScope();
        return kept;
    }

    /// <summary>Runs all k steps.</summary>
    /// <param name="image">Normalised image (B, 3, H, W).</param>
    /// <param name="masks">(k, B or 1, H, W, 1) masks from <see cref="UpdateMask"/>, or null to update every cell at every step.</param>
    /// <returns>Final state (B, H, W, n).</returns>
    public override Tensor forward(Tensor image, Tensor? masks)
    {
        if (masks is not null && masks.shape[0] < steps)
            throw new ArgumentException($"expected masks for {steps} steps, got {masks.shape[0]}");
        using var scope = NewDisposeScope();
        Tensor state = Seed(image);
        Tensor color = state.narrow(3, 0, colorChannels);
        for (int t = 0; t < steps; t++)
        {
            Tensor next = Step(state, color, masks?[t]);
            state.Dispose();   // frees the handle early; autograd keeps what it needs, `color` is its own view
            state = next;
        }
        return state.MoveToOuterDisposeScope();
    }
}
