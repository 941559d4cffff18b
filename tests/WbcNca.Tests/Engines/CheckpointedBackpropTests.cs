using TorchSharp;
using WbcNca.Engines;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Engines;

[Collection(TorchCollection.Name)]
public class CheckpointedBackpropTests
{
    private static readonly NcaConfig Tiny = new(Channels: 8, HiddenSize: 16, Steps: 7, ImageSize: 10, ClassifierHidden: 12, NumClasses: 4);

    private static NcaClassifier Model()
    {
        var model = NcaClassifier.Create(Tiny, seed: 1);
        WbcNca.Tests.Model.RandomWeights.Fill(model, 2, 0.2);
        return model;
    }

    private static Dictionary<string, Tensor> Grads(NcaClassifier model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]   // does not divide the 7 steps
    [InlineData(8, false)]   // one segment longer than the run
    [InlineData(1, true)]    // passes without a graph on the fused kernel
    [InlineData(3, true)]
    public void Checkpointed_loss_and_gradients_equal_full_autograd(int segment, bool fused)
    {
        using var x = randn(3, 3, 10, 10);
        using var y = tensor(new long[] { 0, 3, 1 });
        using var g = new Generator(3);
        using var masks = UpdateMask.Sample(Tiny.Steps, 3, 10, 0.5, g);
        Func<Tensor, Tensor> loss = logits => nn.functional.cross_entropy(logits, y);

        using var reference = Model();
        using var expectedLoss = loss(reference.forward(x, masks));
        expectedLoss.backward();
        var expected = Grads(reference);

        using var model = Model();
        var (actualLoss, logits) = CheckpointedBackprop.LossAndBackward(model, x, masks, loss, segment, fused);
        var actual = Grads(model);

        Assert.Equal(expectedLoss.item<float>(), actualLoss.item<float>(), 5);
        Assert.Equal(new long[] { 3, 4 }, logits.shape);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, e) in expected)
        {
            float scale = Math.Max(1f, e.abs().max().item<float>());
            float diff = (e - actual[name]).abs().max().item<float>();
            Assert.True(diff <= 1e-4f * scale, $"{name}: max |Δ| = {diff} (scale {scale})");
        }
        Assert.True(expected["backbone.update.fc1.weight"].abs().sum().item<float>() > 0, "the rule's first layer gets a gradient");
    }

    [Fact]
    public void Checkpointed_gradients_accumulate_like_backward()
    {
        using var x = randn(2, 3, 10, 10);
        using var y = tensor(new long[] { 1, 2 });
        Func<Tensor, Tensor> loss = logits => nn.functional.cross_entropy(logits, y);
        using var model = Model();
        CheckpointedBackprop.LossAndBackward(model, x, null, loss);
        var once = Grads(model);
        CheckpointedBackprop.LossAndBackward(model, x, null, loss);
        var twice = Grads(model);
        foreach (var (name, g1) in once)
            Assert.True((twice[name] - 2 * g1).abs().max().item<float>() <= 1e-5f * Math.Max(1f, g1.abs().max().item<float>()), name);
    }
}
