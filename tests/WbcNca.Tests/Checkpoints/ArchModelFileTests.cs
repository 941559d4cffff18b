using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.IO;
using WbcNca.Model;
using WbcNca.Model.Baselines;
using WbcNca.Tests.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Checkpoints;

[Collection(TorchCollection.Name)]
public sealed class ArchModelFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("wbc-nca-archfile-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static ModelBundle Bundle(ICellClassifier model) =>
        new(model, CellClasses.Fine, Normalization.Acevedo20, new Dictionary<string, string> { ["source"] = "test" });

    /// <summary>Saves, loads, and compares the logits of both on the same images (eval mode, fixed masks).</summary>
    private void AssertRoundTrip(ICellClassifier model, string expectedArch)
    {
        string path = Path.Combine(folder, expectedArch + ".safetensors");
        model.Module.eval();
        ModelFile.Save(Bundle(model), path);
        Assert.Equal(expectedArch, SafeTensorsFile.Read(path).Metadata["arch"]);
        ModelBundle loaded = ModelFile.Load(path);
        using (loaded.Model)
        {
            Assert.Equal(expectedArch, loaded.Spec.Arch);
            Assert.Equal(model.Spec.ConfigJson(), loaded.Spec.ConfigJson());
            int s = model.Spec.ImageSize;
            using var _ = no_grad();
            using var x = randn(3, 3, s, s, generator: new Generator(9));
            using var masksA = model.InferenceMasks(2, null, CPU);
            using var masksB = loaded.Model.InferenceMasks(2, null, CPU);
            using var a = model.Forward(x, masksA);
            using var b = loaded.Model.Forward(x, masksB);
            Assert.Equal([3, 13], b.shape);
            Assert.True(a.eq(b).all().item<bool>(), $"{expectedArch}: logits differ after save and load");
        }
    }

    [Fact]
    public void A_saved_and_loaded_resnext_gives_identical_logits_including_batch_norm_statistics()
    {
        using var model = ResNetClassifier.Create(ResNetClassifierTests.TinyResNeXt, ModelSpec.ResNeXt50Arch, seed: 2);
        using (no_grad())
        using (var x = randn(4, 3, 16, 16))
            model.forward(x).Dispose();   // training mode: moves the running statistics away from 0 and 1
        AssertRoundTrip(model, ModelSpec.ResNeXt50Arch);
    }

    [Fact]
    public void A_saved_and_loaded_resnet18_gives_identical_logits()
    {
        using var model = ResNetClassifier.Create(ResNetClassifierTests.TinyResNet18, ModelSpec.ResNet18Arch, seed: 3);
        AssertRoundTrip(model, ModelSpec.ResNet18Arch);
    }

    [Fact]
    public void A_saved_and_loaded_nca_gives_identical_logits_and_says_it_is_an_nca()
    {
        using var model = new NcaCellClassifier(NcaClassifier.Create(new NcaConfig(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 10, ClassifierHidden: 12), seed: 1));
        RandomWeights.Fill(model.Classifier, 1, 0.2);
        AssertRoundTrip(model, ModelSpec.NcaArch);
    }

    [Fact]
    public void A_saved_and_loaded_autoencoder_baseline_gives_identical_logits_with_its_forest()
    {
        using var model = AeCfeClassifier.Create(AeCfeTests.Tiny, seed: 1);
        model.Module.eval();
        using (var x = randn(30, 3, 16, 16, generator: new Generator(3)))
        {
            float[] features = model.Features(x);
            int[] labels = Enumerable.Range(0, 30).Select(i => i % 13).ToArray();
            model.Forest = RandomForest.Fit(features, 30, AeCfeTests.Tiny.Bottleneck, labels, 13, trees: 4, seed: 1);
        }
        AssertRoundTrip(model, ModelSpec.AeCfeArch);
    }

    [Fact]
    public void The_shipped_model_written_before_architectures_existed_loads_as_an_nca()
    {
        // The shipped model's weights with only the metadata a file had before architectures (and later records) existed.
        SafeTensorsContent shipped = SafeTensorsFile.Read(Path.Combine(SharedData.RepoRoot, "models", "wbc-nca-acevedo20-v1.safetensors"));
        string path = Path.Combine(folder, "before-architectures.safetensors");
        SafeTensorsFile.Write(path, shipped.Tensors, shipped.Metadata.Where(kv => kv.Key is "format" or "config" or "classes" or "normalization" or "provenance").ToDictionary());
        Assert.False(SafeTensorsFile.Read(path).Metadata.ContainsKey("arch"));
        ModelBundle bundle = ModelFile.Load(path);
        using (bundle.Model)
        {
            Assert.True(bundle.IsNca);
            Assert.Equal(ModelSpec.NcaArch, bundle.Spec.Arch);
            Assert.Equal(NcaConfig.Compact, bundle.Config with { NumClasses = NcaConfig.Compact.NumClasses });
        }
    }

    [Fact]
    public void An_unknown_architecture_is_refused_in_one_line_naming_the_file()
    {
        using var model = ResNetClassifier.Create(ResNetClassifierTests.TinyResNet18, ModelSpec.ResNet18Arch, seed: 3);
        string path = Path.Combine(folder, "m.safetensors");
        ModelFile.Save(Bundle(model), path);
        var content = SafeTensorsFile.Read(path);
        var meta = content.Metadata.ToDictionary();
        meta["arch"] = "vit";
        SafeTensorsFile.Write(path, content.Tensors.ToDictionary(), meta);
        var e = Assert.Throws<CheckpointFormatException>(() => ModelFile.Load(path));
        Assert.StartsWith($"{path}: ", e.Message);
        Assert.Contains("unknown architecture 'vit'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Asking_a_baseline_bundle_for_its_nca_is_a_user_error_naming_the_architecture()
    {
        using var model = ResNetClassifier.Create(ResNetClassifierTests.TinyResNet18, ModelSpec.ResNet18Arch, seed: 3);
        var e = Assert.Throws<WbcNcaException>(() => Bundle(model).Classifier);
        Assert.Contains("resnet18", e.Message);
    }
}
