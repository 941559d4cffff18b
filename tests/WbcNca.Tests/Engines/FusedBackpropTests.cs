using TorchSharp;
using WbcNca.Engines;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Engines;

[Collection(TorchCollection.Name)]
public class FusedBackpropTests
{
    private static readonly NcaConfig Tiny = new(Channels: 8, HiddenSize: 16, Steps: 3, ImageSize: 8, ClassifierHidden: 12, NumClasses: 4);

    private static NcaClassifier Model(NcaConfig config)
    {
        var model = NcaClassifier.Create(config, seed: 1);
        WbcNca.Tests.Model.RandomWeights.Fill(model, 2, 0.2);
        return model;
    }

    private static Dictionary<string, Tensor> Grads(NcaClassifier model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());

    // Loss and every parameter gradient of the fused step against full TorchSharp autograd, to 1e-4 relative.
    private static void AssertMatchesAutograd(NcaConfig config, int batch, Func<Tensor?> makeMasks, int segment, int threads)
    {
        int s = config.ImageSize;
        using var x = randn(batch, 3, s, s);
        using var y = randint(0, config.NumClasses, [batch], dtype: ScalarType.Int64);
        using var masks = makeMasks();
        Func<Tensor, Tensor> loss = logits => nn.functional.cross_entropy(logits, y);

        using var reference = Model(config);
        using var expectedLoss = loss(reference.forward(x, masks));
        expectedLoss.backward();
        var expected = Grads(reference);

        using var model = Model(config);
        var (actualLoss, logits) = FusedBackprop.LossAndBackward(model, x, masks, loss, segment, threads);
        var actual = Grads(model);

        Assert.Equal(expectedLoss.item<float>(), actualLoss.item<float>(), 1e-4f * Math.Max(1f, Math.Abs(expectedLoss.item<float>())));
        Assert.Equal(new long[] { batch, config.NumClasses }, logits.shape);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, e) in expected)
        {
            float scale = Math.Max(1e-3f, e.abs().max().item<float>());
            float diff = (e - actual[name]).abs().max().item<float>();
            Assert.True(diff <= 1e-4f * scale, $"{name}: max |Δ| = {diff} (scale {scale})");
        }
        foreach (string name in new[] { "backbone.update.fc1.weight", "backbone.update.fc2.weight", "backbone.perception.k1.weight", "backbone.perception.k2.bias" })
            Assert.True(expected[name].abs().sum().item<float>() > 0, $"{name} gets a gradient");
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(2, 2, true)]    // does not divide the 3 steps
    [InlineData(0, 2, true)]    // automatic segment
    [InlineData(1, 2, false)]   // the Vector256 fallback
    public void Fused_loss_and_gradients_equal_full_autograd_with_per_image_masks(int segment, int threads, bool vector512)
    {
        bool before = KernelIsa.UseVector512;
        KernelIsa.UseVector512 = vector512 && before;
        try
        {
            using var g = new Generator(3);
            AssertMatchesAutograd(Tiny, 2, () => UpdateMask.Sample(Tiny.Steps, 2, Tiny.ImageSize, 0.5, g), segment, threads);
        }
        finally
        {
            KernelIsa.UseVector512 = before;
        }
    }

    [Fact]
    public void Fused_gradients_equal_full_autograd_with_a_shared_mask_without_masks_and_on_a_non_square_batch_of_odd_widths()
    {
        var odd = new NcaConfig(Channels: 13, HiddenSize: 20, Steps: 4, ImageSize: 7, ClassifierHidden: 6, NumClasses: 3);
        AssertMatchesAutograd(odd, 3, () => UpdateMask.Seeded(odd.Steps, odd.ImageSize, 0.5, seed: 4), segment: 3, threads: 2);
        AssertMatchesAutograd(odd, 1, () => null, segment: 1, threads: 1);
    }

    [Fact]
    public void Fused_gradients_equal_full_autograd_at_the_compact_preset()
    {
        var compact = NcaConfig.Compact with { Steps = 8 };
        using var g = new Generator(5);
        AssertMatchesAutograd(compact, 2, () => UpdateMask.Sample(compact.Steps, 2, compact.ImageSize, compact.UpdateProbability, g), segment: 3, threads: 2);
    }

    [Fact]
    public void Fused_gradients_equal_full_autograd_at_the_paper_widths()
    {
        var paper = NcaConfig.Paper with { Steps = 3, ImageSize = 12 };
        using var g = new Generator(6);
        AssertMatchesAutograd(paper, 1, () => UpdateMask.Sample(paper.Steps, 1, paper.ImageSize, paper.UpdateProbability, g), segment: 2, threads: 2);
    }

    [Fact]
    public void Fused_gradients_accumulate_like_backward()
    {
        using var x = randn(2, 3, 8, 8);
        using var y = tensor(new long[] { 1, 2 });
        Func<Tensor, Tensor> loss = logits => nn.functional.cross_entropy(logits, y);
        using var model = Model(Tiny);
        FusedBackprop.LossAndBackward(model, x, null, loss);
        var once = Grads(model);
        FusedBackprop.LossAndBackward(model, x, null, loss);
        var twice = Grads(model);
        foreach (var (name, g1) in once)
            Assert.True((twice[name] - 2 * g1).abs().max().item<float>() <= 1e-5f * Math.Max(1f, g1.abs().max().item<float>()), name);
    }

    [Fact]
    public void Automatic_segment_keeps_all_states_when_they_fit_and_fewer_at_the_paper_size()
    {
        Assert.Equal(1, FusedBackprop.AutoSegment(NcaConfig.Compact, 16));
        int paper = FusedBackprop.AutoSegment(NcaConfig.Paper, 16);
        Assert.InRange(paper, 2, 4);
        Assert.True(64L * 16 * 4096 * 128 * 4 / paper <= FusedBackprop.DefaultCheckpointBytes);
    }
}
