using TorchSharp;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Engines;

/// <summary>
/// Backpropagation through the NCA's k steps with per-step recomputation (gradient checkpointing), so that a
/// training step keeps a few states instead of the activations of all k steps. The forward pass runs without a
/// graph and keeps every <c>segment</c>-th state; the backward pass walks the segments from the last one,
/// recomputes the segment's states without a graph, then re-runs each step with a graph and back-propagates
/// the incoming state gradient through it, accumulating the parameter gradients.
/// The gradients equal those of <c>loss(model.forward(image, masks)).backward()</c> (up to float rounding);
/// the price is about one extra forward pass (two with <c>segment</c> &gt; 1).
/// </summary>
public static class CheckpointedBackprop
{
    /// <summary>
    /// Computes the loss of <paramref name="model"/> on <paramref name="image"/> and accumulates its gradient into
    /// the parameters' <c>grad</c> (like <c>backward()</c>, it adds to existing gradients).
    /// </summary>
    /// <param name="model">The classifier (its parameters require grad).</param>
    /// <param name="image">Normalised images (B, 3, H, W).</param>
    /// <param name="masks">(k, B or 1, H, W, 1) update masks, or null to update every cell.</param>
    /// <param name="loss">Maps the (B, classes) logits to a scalar loss.</param>
    /// <param name="segment">Keep every segment-th state in the forward pass (1 = keep all, the fastest; larger saves memory).</param>
    /// <param name="fused">When true (CPU only), the passes without a graph run on <see cref="FusedNca"/>.</param>
    /// <returns>The detached scalar loss and the detached logits (B, classes).</returns>
    public static (Tensor Loss, Tensor Logits) LossAndBackward(NcaClassifier model, Tensor image, Tensor? masks, Func<Tensor, Tensor> loss, int segment = 4, bool fused = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segment, 1);
        NcaConfig config = model.Config;
        int steps = config.Steps;
        if (masks is not null && masks.shape[0] < steps)
            throw new ArgumentException($"expected masks for {steps} steps, got {masks.shape[0]}");
        NcaBackbone backbone = model.Backbone;
        using var scope = NewDisposeScope();
        FusedNca? kernel = fused && image.device.type == DeviceType.CPU ? FusedNca.WithTorchThreads(model) : null;

        Tensor color;
        var checkpoints = new List<Tensor>();
        Tensor final;
        using (no_grad())
        {
            Tensor state = backbone.Seed(image);
            color = state.narrow(3, 0, config.ColorChannels);
            for (int t = 0; t < steps && kernel is not null; t += segment)
            {
                checkpoints.Add(state);
                state = kernel.Advance(state, masks, t, Math.Min(segment, steps - t));
            }
            for (int t = 0; t < steps && kernel is null; t++)
            {
                if (t % segment == 0) checkpoints.Add(state);
                Tensor next = backbone.Step(state, color, masks?[t]);
                if (t % segment != 0) state.Dispose();
                state = next;
            }
            final = state;
        }

        Tensor finalLeaf = final.detach().requires_grad_(true);
        Tensor logits = model.Head.forward(model.Pool(finalLeaf));
        Tensor lossValue = loss(logits);
        lossValue.backward();
        Tensor grad = finalLeaf.grad!.detach();

        for (int s = checkpoints.Count - 1; s >= 0; s--)
        {
            int start = s * segment, end = Math.Min(steps, start + segment);
            var states = new Tensor[end - start];
            using (no_grad())
            {
                states[0] = checkpoints[s];
                for (int t = start + 1; t < end; t++)
                    states[t - start] = kernel is null ? backbone.Step(states[t - start - 1], color, masks?[t - 1])
                                                       : kernel.Advance(states[t - start - 1], masks, t - 1, 1);
            }
            for (int t = end - 1; t >= start; t--)
            {
                using var stepScope = NewDisposeScope();
                Tensor input = states[t - start].detach().requires_grad_(true);
                Tensor output = backbone.Step(input, color, masks?[t]);
                output.backward([grad]);
                Tensor next = input.grad!.detach().MoveToOuterDisposeScope();
                grad.Dispose();
                grad = next;
                if (t > start) states[t - start].Dispose();
            }
            checkpoints[s].Dispose();
        }
        return (lossValue.detach().MoveToOuterDisposeScope(), logits.detach().MoveToOuterDisposeScope());
    }
}
