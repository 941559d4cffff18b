using WbcNca.Data;
using TorchSharp;
using WbcNca.Engines;
using WbcNca.Imaging;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Evaluation;

/// <summary>
/// Runs a classifier over cached images (values in [0, 1]) with one normalisation and one fixed update-mask sequence
/// shared by every image (<see cref="UpdateMask.Seeded"/>), so that an image's prediction does not depend on its batch.
/// </summary>
public static class CachedInference
{
    /// <summary>Softmax probabilities (items × classes, row-major) and the mean cross-entropy against the cached labels.</summary>
    public static (float[] Probabilities, double Loss) Run(NcaClassifier model, ImageCache cache, IReadOnlyList<int> indices, Normalization normalization,
        long maskSeed, int batchSize, Device? device = null, double? updateProbability = null, Action<int>? progress = null, NcaEngine? engine = null) =>
        Run(new NcaCellClassifier(model, owns: false), cache, indices, normalization, maskSeed, batchSize, device, updateProbability, progress, engine);

    /// <summary>
    /// Softmax probabilities (items × classes, row-major) and the mean cross-entropy against the cached labels, for any
    /// classifier (the masks of <paramref name="maskSeed"/> only matter to the NCA). An NCA runs on
    /// <paramref name="engine"/> as <see cref="NcaEngines.Resolve"/> decides (by default the fused kernel on the CPU, which is
    /// several times faster than libtorch there and needs a fraction of its memory at batch 64).
    /// </summary>
    /// <remarks>
    /// With <c>features</c> (items × channels values), each item's pooled NCA state, the head's input (see
    /// <see cref="Inference.FeatureDistance"/>), is written there too; only for an NCA.
    /// With <c>view</c> ≠ 0 every image is seen as that <see cref="DihedralView"/> (turned and/or mirrored).
    /// </remarks>
    public static (float[] Probabilities, double Loss) Run(ICellClassifier model, ImageCache cache, IReadOnlyList<int> indices, Normalization normalization,
        long maskSeed, int batchSize, Device? device = null, double? updateProbability = null, Action<int>? progress = null, NcaEngine? engine = null,
        float[]? features = null, int view = 0)
    {
        NcaClassifier? pooledNca = null;
        if (features is not null)
        {
            pooledNca = (model as NcaCellClassifier)?.Classifier ?? throw new ArgumentException("pooled features come from an NCA only", nameof(model));
            if (features.Length != indices.Count * pooledNca.Config.Channels)
                throw new ArgumentException($"features must hold {indices.Count}×{pooledNca.Config.Channels} values, got {features.Length}", nameof(features));
        }
        device ??= CPU;
        FusedNca? fused = NcaEngines.FusedClassifier(model, engine, device) is NcaClassifier nca ? FusedNca.WithTorchThreads(nca) : null;
        ModelSpec spec = model.Spec;
        if (cache.Size != spec.ImageSize) throw new ArgumentException($"cached images are {cache.Size}×{cache.Size}, the model expects {spec.ImageSize}×{spec.ImageSize}");
        int c = spec.NumClasses, s = cache.Size;
        var probs = new float[indices.Count * c];
        double lossSum = 0;
        bool wasTraining = model.Module.training;
        model.Module.eval();
        using (no_grad())
        using (var maskScope = NewDisposeScope())
        {
            Tensor? masks = model.InferenceMasks(maskSeed, updateProbability, device);
            for (int start = 0; start < indices.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int b = Math.Min(batchSize, indices.Count - start);
                int[] chunk = Enumerable.Range(start, b).Select(i => indices[i]).ToArray();
                Tensor x = DihedralView.Apply(normalization.ApplyTo(tensor(cache.Gather(chunk), [b, 3, s, s]).to(device)), view);
                Tensor logits;
                if (pooledNca is not null)
                {
                    Tensor h = NcaEngines.PooledState(pooledNca, fused, x, masks);   // (B, n)
                    h.cpu().data<float>().ToArray().CopyTo(features!, start * pooledNca.Config.Channels);
                    logits = pooledNca.Head.forward(h);                                // (B, classes)
                }
                else logits = fused is null ? model.Forward(x, masks) : fused.Classify(x, masks);   // (B, classes)
                Tensor y = tensor(chunk.Select(i => (long)cache.Labels[i]).ToArray()).to(device);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).cpu().item<float>();
                nn.functional.softmax(logits, 1).cpu().data<float>().ToArray().CopyTo(probs, start * c);
                progress?.Invoke(start + b);
            }
        }
        if (wasTraining) model.Module.train();
        return (probs, indices.Count > 0 ? lossSum / indices.Count : 0);
    }

    /// <summary>Arg-max class of each row of a row-major (items × classes) probability array.</summary>
    public static int[] ArgMax(float[] probabilities, int classes)
    {
        int n = probabilities.Length / classes;
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 1; j < classes; j++) if (probabilities[i * classes + j] > probabilities[i * classes + best]) best = j;
            result[i] = best;
        }
        return result;
    }
}
