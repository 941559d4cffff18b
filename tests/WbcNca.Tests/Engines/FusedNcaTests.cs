using TorchSharp;
using WbcNca.Engines;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Engines;

[Collection(TorchCollection.Name)]
public class FusedNcaTests
{
    private static void Randomize(nn.Module model, long seed, double scale) => WbcNca.Tests.Model.RandomWeights.Fill(model, seed, scale);

    private static float MaxAbsDiff(Tensor a, Tensor b)
    {
        using var d = (a - b).abs().max();
        return d.item<float>();
    }

    [Theory]
    [InlineData(8, 16, 5, 12, 3)]      // channels and hidden width not multiples of the kernel's blocking
    [InlineData(32, 64, 6, 17, 2)]     // compact widths, odd image side
    [InlineData(128, 128, 3, 10, 1)]   // paper widths
    public void Fused_forward_matches_the_torch_backbone_with_per_image_masks(int channels, int hidden, int steps, int size, int batch)
    {
        var config = new NcaConfig(Channels: channels, HiddenSize: hidden, Steps: steps, ImageSize: size);
        using var model = NcaClassifier.Create(config, seed: 1);
        Randomize(model, 2, 0.2);
        using var _ = no_grad();
        using var x = randn(batch, 3, size, size);
        using var g = new Generator(3);
        using var masks = UpdateMask.Sample(steps, batch, size, 0.5, g);
        using var expected = model.Backbone.forward(x, masks);
        using var actual = new FusedNca(model).Forward(x, masks);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(MaxAbsDiff(expected, actual) < 1e-4f, $"max |Δ| = {MaxAbsDiff(expected, actual)}");
    }

    [Fact]
    public void Fused_forward_matches_with_a_shared_mask_and_without_masks()
    {
        var config = new NcaConfig(Channels: 16, HiddenSize: 24, Steps: 4, ImageSize: 9);
        using var model = NcaClassifier.Create(config, seed: 4);
        Randomize(model, 5, 0.2);
        using var _ = no_grad();
        using var x = randn(3, 3, 9, 9);
        using var shared = UpdateMask.Seeded(4, 9, 0.5, seed: 6);
        var fused = new FusedNca(model) { Threads = 1 };
        using var e1 = model.Backbone.forward(x, shared);
        using var a1 = fused.Forward(x, shared);
        Assert.True(MaxAbsDiff(e1, a1) < 1e-4f);
        using var e2 = model.Backbone.forward(x, null);
        using var a2 = fused.Forward(x, null);
        Assert.True(MaxAbsDiff(e2, a2) < 1e-4f);
    }

    [Fact]
    public void A_kernel_made_with_torch_threads_uses_libtorchs_thread_count_and_computes_the_same_state()
    {
        var config = new NcaConfig(Channels: 16, HiddenSize: 24, Steps: 3, ImageSize: 8);
        using var model = NcaClassifier.Create(config, seed: 2);
        using var _ = no_grad();
        using var x = randn(2, 3, 8, 8);
        var pooled = FusedNca.WithTorchThreads(model);
        Assert.Equal(Math.Max(1, get_num_threads()), pooled.Threads);
        using var a = pooled.Forward(x, null);
        using var b = new FusedNca(model) { Threads = 1 }.Forward(x, null);
        Assert.Equal(0f, MaxAbsDiff(a, b));
    }

    [Fact]
    public void Fused_forward_keeps_the_colour_channels_and_the_state_of_cells_that_never_update()
    {
        var config = new NcaConfig(Channels: 8, HiddenSize: 8, Steps: 3, ImageSize: 6);
        using var model = NcaClassifier.Create(config, seed: 7);
        Randomize(model, 8, 0.5);
        using var x = randn(1, 3, 6, 6);
        using var masks = ones([3, 1, 6, 6, 1]);
        masks[.., .., 2, 3, ..] = tensor(0f);
        using var state = new FusedNca(model).Forward(x, masks);
        using var colour = state.narrow(3, 0, 3).permute(0, 3, 1, 2);
        Assert.True(colour.equal(x).all().item<bool>());
        Assert.Equal(0f, state[0, 2, 3].narrow(0, 3, 5).abs().sum().item<float>());
        Assert.True(state[0, 2, 4].narrow(0, 3, 5).abs().sum().item<float>() > 0);
    }
}

[Collection(TorchCollection.Name)]
public class FusedPredictorTests
{
    [Fact]
    public void Predictor_on_the_fused_engine_gives_the_torch_engines_probabilities()
    {
        var config = new NcaConfig(Channels: 16, HiddenSize: 16, Steps: 6, ImageSize: 8, ClassifierHidden: 8, NumClasses: 3);
        using var model = NcaClassifier.Create(config, seed: 11);
        WbcNca.Tests.Model.RandomWeights.Fill(model, 12, 0.3);
        var bundle = new WbcNca.Checkpoints.ModelBundle(model, ["a", "b", "c"], WbcNca.Imaging.Normalization.Acevedo20, new Dictionary<string, string>());
        var rng = new Random(13);
        var images = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 3 * 8 * 8).Select(_ => (float)rng.NextDouble() * 2 - 1).ToArray()).ToList();
        var options = new WbcNca.Inference.PredictOptions(Samples: 2, Seed: 3, BatchSize: 2);
        var expected = new WbcNca.Inference.Predictor(bundle, engine: NcaEngine.Torch).Predict(images, options);
        var actual = new WbcNca.Inference.Predictor(bundle, engine: NcaEngine.Fused).Predict(images, options);
        for (int i = 0; i < images.Count; i++)
        {
            Assert.Equal(expected[i].Index, actual[i].Index);
            for (int j = 0; j < 3; j++) Assert.Equal(expected[i].Probabilities[j], actual[i].Probabilities[j], 1e-4f);
        }
    }
}
