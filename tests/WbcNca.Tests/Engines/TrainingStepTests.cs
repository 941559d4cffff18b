using TorchSharp;
using WbcNca.Engines;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Engines;

[Collection(TorchCollection.Name)]
public class TrainingStepTests
{
    private static readonly NcaConfig Tiny = new(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 9, ClassifierHidden: 12, NumClasses: 4);

    [Fact]
    public void One_fused_training_step_reused_across_batch_sizes_gives_the_torch_engines_loss_and_gradients_every_time()
    {
        using var fused = new TrainingStep(NcaEngine.Fused);
        using var torchStep = new TrainingStep(NcaEngine.Torch);
        foreach (int batch in new[] { 4, 3, 4, 1 })   // a smaller last batch, then the larger shape again: buffers are reused
        {
            using var x = randn(batch, 3, Tiny.ImageSize, Tiny.ImageSize);
            using var y = randint(0, Tiny.NumClasses, [batch], dtype: ScalarType.Int64);
            using var g = new Generator((ulong)batch);
            using var masks = UpdateMask.Sample(Tiny.Steps, batch, Tiny.ImageSize, 0.5, g);
            Func<Tensor, Tensor> loss = logits => nn.functional.cross_entropy(logits, y);
            using var a = NcaClassifier.Create(Tiny, seed: 1);
            using var b = NcaClassifier.Create(Tiny, seed: 1);
            WbcNca.Tests.Model.RandomWeights.Fill(a, 2, 0.3);
            WbcNca.Tests.Model.RandomWeights.Fill(b, 2, 0.3);
            var (expectedLoss, _) = torchStep.LossAndBackward(a, x, masks, loss);
            var (actualLoss, _) = fused.LossAndBackward(b, x, masks, loss);
            Assert.Equal(expectedLoss.item<float>(), actualLoss.item<float>(), 1e-4f);
            var expected = a.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
            foreach (var (name, p) in b.named_parameters())
            {
                float scale = Math.Max(1e-3f, expected[name].abs().max().item<float>());
                float diff = (expected[name] - p.grad!).abs().max().item<float>();
                Assert.True(diff <= 1e-4f * scale, $"batch {batch}, {name}: max |Δ| = {diff} (scale {scale})");
            }
        }
    }
}
