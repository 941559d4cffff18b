using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.IO;
using WbcNca.Model;
using WbcNca.Tests.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Checkpoints;

[Collection(TorchCollection.Name)]
public sealed class ModelFileTests : IDisposable
{
    private static readonly NcaConfig Tiny = new(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 10, ClassifierHidden: 12, NumClasses: 13);
    private readonly string folder = Directory.CreateTempSubdirectory("wbc-nca-modelfile-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static ModelBundle RandomBundle(NcaConfig config, long seed)
    {
        var model = NcaClassifier.Create(config, seed);
        RandomWeights.Fill(model, seed, 0.2);
        return new ModelBundle(model, CellClasses.Fine, Normalization.Int20, new Dictionary<string, string> { ["seed"] = seed.ToString() });
    }

    [Fact]
    public void Saved_and_loaded_model_gives_identical_weights_config_classes_normalisation_and_logits()
    {
        ModelBundle bundle = RandomBundle(Tiny, 3);
        string path = Path.Combine(folder, "m.safetensors");
        ModelFile.Save(bundle, path);
        ModelBundle loaded = ModelFile.Load(path);

        Assert.Equal(bundle.Config, loaded.Config);
        Assert.Equal(bundle.Classes, loaded.Classes);
        Assert.Equal(bundle.Normalization.Name, loaded.Normalization.Name);
        Assert.Equal(bundle.Normalization.Mean, loaded.Normalization.Mean);
        Assert.Equal("3", loaded.Provenance["seed"]);
        var a = bundle.Classifier.state_dict();
        foreach (var (name, t) in loaded.Classifier.state_dict()) Assert.True(t.equal(a[name]).all().item<bool>(), name);

        using var x = randn(2, 3, 10, 10);
        using var masks = UpdateMask.Seeded(4, 10, 0.5, 1);
        bundle.Classifier.eval();
        using var la = bundle.Classifier.forward(x, masks);
        using var lb = loaded.Classifier.forward(x, masks);
        Assert.True(la.equal(lb).all().item<bool>());
    }

    [Fact]
    public void The_preprocessing_is_stored_in_the_model_file_and_files_without_it_read_as_whole_image_rgb()
    {
        var framed = new Preprocessing(Framing.Cell, 2.6, 4.0, ColorMode.Anchors);
        string path = Path.Combine(folder, "framed.safetensors");
        ModelFile.Save(RandomBundle(Tiny, 4) with { Preprocessing = framed }, path);
        Assert.Equal(framed, ModelFile.Load(path).Preprocessing);
        Assert.Contains("\"framing\":\"cell\"", SafeTensorsFile.Read(path).Metadata["preprocessing"]);

        string plain = Path.Combine(folder, "plain.safetensors");
        ModelFile.Save(RandomBundle(Tiny, 4), plain);
        Assert.False(SafeTensorsFile.Read(plain).Metadata.ContainsKey("preprocessing"));   // as every file written before framing
        Assert.Equal(Preprocessing.Default, ModelFile.Load(plain).Preprocessing);
        // The model shipped before framing still reads as whole image; the one shipped now frames as its recipe says.
        Assert.Equal(Preprocessing.Default, ModelFile.Load(Path.Combine(SharedData.RepoRoot, "models", "wbc-nca-acevedo20-v1.safetensors")).Preprocessing);
        Assert.Equal(WbcNca.Training.TrainingRecipe.Compact.Options.InputPreprocessing,
            ModelFile.Load(Path.Combine(SharedData.RepoRoot, "models", "wbc-nca-acevedo20.safetensors")).Preprocessing);
    }

    [Fact]
    public void The_calibration_is_stored_in_the_model_file_and_files_without_it_have_temperature_one()
    {
        var calibration = new WbcNca.Inference.Calibration(1.8, "validation", 100, 0.1, 0.03);
        string path = Path.Combine(folder, "calibrated.safetensors");
        ModelFile.Save(RandomBundle(Tiny, 5) with { Calibration = calibration }, path);
        Assert.Equal(calibration, ModelFile.Load(path).Calibration);
        string plain = Path.Combine(folder, "uncalibrated.safetensors");
        ModelFile.Save(RandomBundle(Tiny, 5), plain);
        Assert.Equal(1.0, ModelFile.Load(plain).Calibration.Temperature);
    }

    [Fact]
    public void Saved_file_is_plain_safetensors_with_the_config_in_its_metadata()
    {
        string path = Path.Combine(folder, "m.safetensors");
        ModelFile.Save(RandomBundle(Tiny, 1), path);
        SafeTensorsContent content = SafeTensorsFile.Read(path);
        Assert.Equal(ModelFile.FormatTag, content.Metadata["format"]);
        Assert.Equal(Tiny, NcaConfig.FromJson(content.Metadata["config"]));
        Assert.Contains("backbone.perception.k1.weight", content.Tensors.Keys);
        Assert.Equal(new long[] { 16, 24 }, content.Tensors["backbone.update.fc1.weight"].Shape);
    }

    [Theory]
    [InlineData("""{"samples":0,"views":true}""", "averaging: samples must be in 1..64 (got 0)")]
    [InlineData("""{"samples":"eight"}""", "bad metadata: ")]
    public void A_stored_averaging_out_of_range_is_refused_naming_the_file(string averaging, string expected)
    {
        string path = Path.Combine(folder, "m.safetensors");
        ModelFile.Save(RandomBundle(Tiny, 1) with { Averaging = new WbcNca.Inference.TestTimeAveraging(8, Views: true) }, path);
        SafeTensorsContent content = SafeTensorsFile.Read(path);
        Assert.Equal("""{"samples":8,"views":true}""", content.Metadata["averaging"]);
        var meta = content.Metadata.ToDictionary();
        meta["averaging"] = averaging;
        string bad = Path.Combine(folder, "bad-averaging.safetensors");
        SafeTensorsFile.Write(bad, content.Tensors, meta);
        var e = Assert.Throws<CheckpointFormatException>(() => ModelFile.Load(bad));
        Assert.Contains("bad-averaging.safetensors", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Config_that_does_not_fit_the_weights_is_refused_naming_the_tensor()
    {
        string path = Path.Combine(folder, "m.safetensors");
        ModelFile.Save(RandomBundle(Tiny, 1), path);
        SafeTensorsContent content = SafeTensorsFile.Read(path);
        var meta = content.Metadata.ToDictionary();
        meta["config"] = (Tiny with { Channels = 9 }).ToJson();
        string bad = Path.Combine(folder, "bad.safetensors");
        SafeTensorsFile.Write(bad, content.Tensors, meta);
        var e = Assert.Throws<CheckpointFormatException>(() => ModelFile.Load(bad));
        Assert.Contains("bad.safetensors", e.Message);
        Assert.Contains("config does not fit the weights", e.Message);
    }

    [Fact]
    public void Safetensors_file_of_something_else_is_refused_as_not_a_wbc_nca_model()
    {
        string path = Path.Combine(folder, "other.safetensors");
        SafeTensorsFile.Write(path, new Dictionary<string, TensorData> { ["w"] = new([2], [1f, 2f]) }, new Dictionary<string, string>());
        var e = Assert.Throws<CheckpointFormatException>(() => ModelFile.Load(path));
        Assert.Contains("other.safetensors: not a wbc-nca model", e.Message);
    }

    [Fact]
    public void Truncated_model_file_is_refused_naming_the_file()
    {
        string path = Path.Combine(folder, "m.safetensors");
        ModelFile.Save(RandomBundle(Tiny, 1), path);
        byte[] bytes = File.ReadAllBytes(path);
        string cut = Path.Combine(folder, "cut.safetensors");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsAny<WbcNcaException>(() => ModelFile.Load(cut));
        Assert.StartsWith(cut, e.Message);
    }

    [Fact]
    public void Model_with_a_different_class_list_keeps_its_own_class_names()
    {
        var config = Tiny with { NumClasses = 6 };
        var bundle = RandomBundle(config, 2) with { Classes = CellClasses.Coarse };
        string path = Path.Combine(folder, "coarse.safetensors");
        ModelFile.Save(bundle, path);
        Assert.Equal(CellClasses.Coarse, ModelFile.Load(path).Classes);
    }
}
