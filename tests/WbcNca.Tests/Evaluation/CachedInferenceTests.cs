using WbcNca.Data;
using WbcNca.Engines;
using WbcNca.Evaluation;
using WbcNca.Model;
using WbcNca.Training;
using static TorchSharp.torch;

namespace WbcNca.Tests.Evaluation;

/// <summary>Validation and evaluation run an NCA on the fused CPU kernel by default; it must agree with libtorch.</summary>
[Collection(TorchCollection.Name)]
public sealed class CachedInferenceTests
{
    private static readonly NcaConfig Small = new(Channels: 12, HiddenSize: 16, Steps: 6, ImageSize: 8, ClassifierHidden: 10, NumClasses: 3);

    private static ImageCache Cache(int count)
    {
        int len = 3 * Small.ImageSize * Small.ImageSize;
        var rng = new Random(5);
        var data = Enumerable.Range(0, count * len).Select(_ => (float)rng.NextDouble()).ToArray();
        return ImageCache.FromArrays(Small.ImageSize, data, Enumerable.Range(0, count).Select(i => i % 3).ToArray());
    }

    private static NcaClassifier Model()
    {
        manual_seed(11);
        var model = new NcaClassifier(Small);
        using (no_grad())
            foreach (var p in model.parameters()) p.add_(randn_like(p) * 0.3f);   // away from the near-zero fc2 start, so the steps matter
        return model;
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1.0)]
    public void The_fused_engine_gives_libtorchs_probabilities_and_loss_in_any_batch_split(double? updateProbability)
    {
        using var model = Model();
        var cache = Cache(11);
        int[] indices = [10, 0, 3, 7, 1, 2, 4, 5, 6, 8, 9];
        var (torchProbs, torchLoss) = CachedInference.Run(model, cache, indices, ImageCache.Identity, maskSeed: 4, batchSize: 11,
            updateProbability: updateProbability, engine: NcaEngine.Torch);
        var (fusedProbs, fusedLoss) = CachedInference.Run(model, cache, indices, ImageCache.Identity, maskSeed: 4, batchSize: 4,
            updateProbability: updateProbability, engine: NcaEngine.Fused);

        Assert.Equal(torchProbs.Length, fusedProbs.Length);
        for (int i = 0; i < torchProbs.Length; i++) Assert.Equal(torchProbs[i], fusedProbs[i], 1e-4f);
        Assert.Equal(torchLoss, fusedLoss, 1e-4);
        // not a degenerate model: the classes get different probabilities
        Assert.True(torchProbs.Max() - torchProbs.Min() > 0.05f, $"probabilities {torchProbs.Min()}…{torchProbs.Max()}");
    }

    [Fact]
    public void On_the_cpu_the_default_engine_is_the_fused_kernel()
    {
        using var model = Model();
        var cache = Cache(6);
        int[] indices = [0, 1, 2, 3, 4, 5];
        var (byDefault, _) = CachedInference.Run(model, cache, indices, ImageCache.Identity, maskSeed: 2, batchSize: 6);
        var (fused, _) = CachedInference.Run(model, cache, indices, ImageCache.Identity, maskSeed: 2, batchSize: 6, engine: NcaEngine.Fused);
        Assert.Equal(fused, byDefault);   // bit for bit
    }
}
