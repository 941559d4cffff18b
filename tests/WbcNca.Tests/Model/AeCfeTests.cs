using WbcNca.Model;
using WbcNca.Model.Baselines;
using static TorchSharp.torch;

namespace WbcNca.Tests.Model;

[Collection(TorchCollection.Name)]
public sealed class AeCfeTests
{
    /// <summary>A small autoencoder baseline for quick tests: 16×16 images, 4 base channels, 16 features, 8 trees.</summary>
    public static readonly AeCfeConfig Tiny = new(ImageSize: 16, BaseChannels: 4, Bottleneck: 16, Trees: 8, MinLeaf: 1);

    [Fact]
    public void The_default_autoencoder_has_the_parameters_of_its_layers_written_out()
    {
        // Encoder: 4×4 convs 3→32→64→128→256 with biases and batch norm, Linear(4096 → 256); decoder: Linear(256 → 4096),
        // transposed convs 256→128→64→32→3 with biases, batch norm after all but the last.
        long encoder = (3 * 32 * 16 + 32) + (32 * 64 * 16 + 64) + (64 * 128 * 16 + 128) + (128 * 256 * 16 + 256) + 2 * (32 + 64 + 128 + 256) + (4096 * 256 + 256);
        long decoder = (256 * 4096 + 4096) + (256 * 128 * 16 + 128) + (128 * 64 * 16 + 64) + (64 * 32 * 16 + 32) + (32 * 3 * 16 + 3) + 2 * (128 + 64 + 32);
        using var model = new AeCfeClassifier(new AeCfeConfig());
        Assert.Equal(encoder + decoder, model.ParameterCount);
    }

    [Fact]
    public void The_autoencoder_reconstructs_the_input_shape_and_encodes_to_the_bottleneck()
    {
        using var ae = new ConvAutoencoder(new AeCfeConfig());
        using var x = randn(2, 3, 64, 64);
        using var code = ae.Encode(x);
        using var y = ae.forward(x);
        Assert.Equal([2, 256], code.shape);
        Assert.Equal([2, 3, 64, 64], y.shape);
    }

    [Fact]
    public void With_a_fitted_forest_the_classifier_gives_13_log_probabilities_per_image()
    {
        using var model = AeCfeClassifier.Create(Tiny, seed: 1);
        model.Module.eval();
        using var x = randn(26, 3, 16, 16, generator: new Generator(1));
        float[] features = model.Features(x);
        model.Forest = RandomForest.Fit(features, 26, Tiny.Bottleneck, Enumerable.Range(0, 26).Select(i => i % 13).ToArray(), 13, Tiny.Trees, seed: 1);
        using var logits = model.Forward(x, null);
        Assert.Equal([26, 13], logits.shape);
        using var sums = logits.exp().sum(1);
        Assert.True(sums.allclose(ones(26), rtol: 0, atol: 1e-4));
    }

    [Fact]
    public void Without_a_forest_the_classifier_cannot_classify()
    {
        using var model = AeCfeClassifier.Create(Tiny, seed: 1);
        using var x = randn(1, 3, 16, 16);
        Assert.Throws<InvalidOperationException>(() => model.Forward(x, null));
    }
}
