using WbcNca.Model;
using WbcNca.Model.Baselines;
using static TorchSharp.torch;

namespace WbcNca.Tests.Model;

[Collection(TorchCollection.Name)]
public sealed class ResNetClassifierTests
{
    /// <summary>A narrow ResNeXt (stem width 8, 4 groups, one block per stage) for quick tests.</summary>
    public static readonly ResNetConfig TinyResNeXt = new("bottleneck", [1, 1, 1, 1], Groups: 4, WidthPerGroup: 16, StemWidth: 8, Stem: "small", ImageSize: 16);

    /// <summary>A narrow ResNet-18 (stem width 8) for quick tests.</summary>
    public static readonly ResNetConfig TinyResNet18 = ResNetConfig.ResNet18 with { StemWidth = 8, ImageSize = 32 };

    [Fact]
    public void ResNeXt50_32x4d_with_13_classes_has_the_parameters_of_torchvisions_model_with_a_13_class_head()
    {
        using var model = new ResNetClassifier(ResNetConfig.ResNeXt50, ModelSpec.ResNeXt50Arch);
        Assert.Equal(HandParameters(bottleneck: true, [3, 4, 6, 3], 32, 4, 13), model.ParameterCount);
        Assert.Equal(23_006_541, model.ParameterCount);   // torchvision's 25,028,904 less its 1000-class fc, plus 2048·13 + 13
    }

    [Fact]
    public void ResNet18_with_13_classes_has_the_parameters_of_torchvisions_model_with_a_13_class_head()
    {
        using var model = new ResNetClassifier(ResNetConfig.ResNet18, ModelSpec.ResNet18Arch);
        Assert.Equal(HandParameters(bottleneck: false, [2, 2, 2, 2], 1, 64, 13), model.ParameterCount);
        Assert.Equal(11_183_181, model.ParameterCount);   // torchvision's 11,689,512 less its 1000-class fc, plus 512·13 + 13
    }

    [Fact]
    public void The_state_dict_uses_torchvisions_layer_names()
    {
        using var model = new ResNetClassifier(ResNetConfig.ResNeXt50, ModelSpec.ResNeXt50Arch);
        var names = model.state_dict().Keys.ToHashSet();
        foreach (string name in new[] { "conv1.weight", "bn1.running_mean", "layer1.0.conv2.weight", "layer1.0.downsample.0.weight", "layer1.0.downsample.1.weight", "layer4.2.bn3.bias", "fc.weight" })
            Assert.Contains(name, names);
        Assert.Equal([128, 4, 3, 3], model.state_dict()["layer1.0.conv2.weight"].shape);   // 32 groups × 4 channels
    }

    [Fact]
    public void Both_published_cnns_map_a_batch_of_64x64_images_to_13_logits()
    {
        foreach (var (config, arch) in new[] { (ResNetConfig.ResNeXt50, ModelSpec.ResNeXt50Arch), (ResNetConfig.ResNet18, ModelSpec.ResNet18Arch) })
        {
            using var model = ResNetClassifier.Create(config, arch, seed: 1);
            model.eval();
            using var _ = no_grad();
            using var x = randn(2, 3, 64, 64);
            using var logits = model.Forward(x, null);
            Assert.Equal([2, 13], logits.shape);
            Assert.True(logits.isfinite().all().item<bool>());
        }
    }

    [Fact]
    public void A_resnext50_training_step_on_64_px_cells_runs_through_its_deep_shortcuts()
    {
        // Its 512 → 1024 and 1024 → 2048 shortcuts (strided 1×1 convolutions) crashed oneDNN's backward planning on
        // some CPUs: oneDNN is off unless asked for (see OneDnn).
        using var scope = NewDisposeScope();
        using var model = ResNetClassifier.Create(ResNetConfig.ResNeXt50, ModelSpec.ResNeXt50Arch, seed: 1);
        model.train();
        Tensor x = randn([16, 3, 64, 64], generator: new Generator(5, CPU));
        model.Forward(x, null).square().mean().backward();
        var grad = model.state_dict()["layer4.0.downsample.0.weight"].grad;
        Assert.NotNull(grad);
        Assert.True(grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void The_narrow_variants_map_a_batch_to_13_logits_and_take_no_masks()
    {
        foreach (var (config, arch) in new[] { (TinyResNeXt, ModelSpec.ResNeXt50Arch), (TinyResNet18, ModelSpec.ResNet18Arch) })
        {
            using var model = ResNetClassifier.Create(config, arch, seed: 1);
            using var gen = new Generator(1);
            Assert.False(model.IsStochastic);
            Assert.Null(model.TrainingMasks(3, gen, CPU));
            Assert.Null(model.InferenceMasks(0, null, CPU));
            using var x = randn(3, 3, config.ImageSize, config.ImageSize);
            using var logits = model.Forward(x, null);
            Assert.Equal([3, 13], logits.shape);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_initial_weights()
    {
        using var a = ResNetClassifier.Create(TinyResNeXt, ModelSpec.ResNeXt50Arch, seed: 4);
        using var b = ResNetClassifier.Create(TinyResNeXt, ModelSpec.ResNeXt50Arch, seed: 4);
        using var c = ResNetClassifier.Create(TinyResNeXt, ModelSpec.ResNeXt50Arch, seed: 5);
        var wa = a.state_dict()["layer2.0.conv2.weight"];
        Assert.True(wa.eq(b.state_dict()["layer2.0.conv2.weight"]).all().item<bool>());
        Assert.False(wa.eq(c.state_dict()["layer2.0.conv2.weight"]).all().item<bool>());
    }

    /// <summary>Parameters of torchvision's ResNet/ResNeXt written out: stem conv + bn, blocks (convs, bns, projections), fc.</summary>
    private static long HandParameters(bool bottleneck, int[] layers, int groups, int widthPerGroup, int classes)
    {
        long p = 3 * 64 * 49 + 2 * 64;
        int inChannels = 64;
        for (int stage = 0; stage < 4; stage++)
        {
            int planes = 64 << stage;
            for (int b = 0; b < layers[stage]; b++)
            {
                int stride = stage > 0 && b == 0 ? 2 : 1, outChannels;
                if (bottleneck)
                {
                    int w = planes * widthPerGroup / 64 * groups;
                    outChannels = 4 * planes;
                    p += (long)inChannels * w + 2 * w + (long)w * (w / groups) * 9 + 2 * w + (long)w * outChannels + 2 * outChannels;
                }
                else
                {
                    outChannels = planes;
                    p += (long)inChannels * planes * 9 + 2 * planes + (long)planes * planes * 9 + 2 * planes;
                }
                if (stride != 1 || inChannels != outChannels) p += (long)inChannels * outChannels + 2 * outChannels;
                inChannels = outChannels;
            }
        }
        return p + (long)inChannels * classes + classes;
    }
}
