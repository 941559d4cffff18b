using System.Text.Json;
using System.Text.Json.Nodes;
using WbcNca.Checkpoints;
using WbcNca.IO;
using WbcNca.Model;
using WbcNca.Tests.Imaging;
using WbcNca.Tests.Training;

namespace WbcNca.Tests.Cli;

/// <summary>
/// What the program says on stderr for bad input names files, options and problems, never .NET types or stack
/// traces ("System.Int32", "WbcNca.Model.NcaConfig", "…Exception", "   at …").
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class UserFacingMessageTests : IDisposable
{
    private readonly TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    private static void AssertOneLineWithoutInternalNames(CliProcess.Result r)
    {
        Assert.NotEqual(0, r.ExitCode);
        string line = Assert.Single(r.StderrLines);
        Assert.StartsWith("error: ", line);
        foreach (string inner in new[] { "System.", "WbcNca.", "Exception", "TorchSharp", "   at " })
            Assert.DoesNotContain(inner, r.Stderr);
    }

    // A model file whose stored config has a list where a number belongs.
    private string ModelWithBadConfig()
    {
        string path = Path.Combine(dir.Path, "bad-config.safetensors");
        ModelFile.Save(Explainability.ExplainerTests.Random(NcaConfig.Compact with { Steps = 4 }), path);
        var content = SafeTensorsFile.Read(path);
        var config = JsonNode.Parse(content.Metadata["config"])!.AsObject();
        config["steps"] = new JsonArray();
        var metadata = content.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        metadata["config"] = config.ToJsonString();
        SafeTensorsFile.Write(path, content.Tensors, metadata);
        return path;
    }

    private string Cell()
    {
        string path = Path.Combine(dir.Path, "cell.png");
        File.WriteAllBytes(path, TestImages.Png(TestImages.Pattern(32, 32)));
        return path;
    }

    [Fact]
    public void A_model_with_a_config_value_of_the_wrong_kind_is_named_by_key_not_by_type()
    {
        string model = ModelWithBadConfig();
        var r = CliProcess.Run("predict", "--model", model, Cell());
        AssertOneLineWithoutInternalNames(r);
        Assert.Equal($"error: {model}: bad metadata: 'steps' has a value of the wrong kind", r.StderrLines[0]);
    }

    [Fact]
    public void A_run_config_with_a_value_of_the_wrong_kind_is_named_by_key_not_by_type()
    {
        string run = Directory.CreateDirectory(Path.Combine(dir.Path, "run")).FullName;
        File.WriteAllText(Path.Combine(run, "config.json"), JsonSerializer.Serialize(new
        {
            dataset = "folder", data = dir.Path, arch = "nca", config = new { channels = "many" }, options = new { epochs = 2 },
        }));
        var r = CliProcess.Run("train", "--out", run, "--resume");
        AssertOneLineWithoutInternalNames(r);
        Assert.Contains("'channels' has a value of the wrong kind", r.Stderr);
    }

    [Fact]
    public void A_truncated_image_is_described_without_the_decoders_exception_type()
    {
        string path = Path.Combine(dir.Path, "cut.png");
        File.WriteAllBytes(path, BadImageCorpus.Get("truncated.png").Bytes);
        AssertOneLineWithoutInternalNames(CliProcess.Run("predict", "--model", ModelWithoutProblems(), path));
    }

    [Fact]
    public void A_statistics_file_of_the_wrong_form_is_described_in_words()
    {
        string stats = Path.Combine(dir.Path, "lab.json");
        File.WriteAllText(stats, """{"name": "lab", "mean": "bright", "std": [1, 1, 1]}""");
        AssertOneLineWithoutInternalNames(CliProcess.Run("predict", "--model", ModelWithoutProblems(), "--normalization", stats, Cell()));
    }

    [Theory]
    [InlineData("predict", "--threads", "many", "x.png")]
    [InlineData("predict", "--samples", "2.5", "x.png")]
    [InlineData("evaluate", "--data", "DATA", "--batch-size", "0")]
    [InlineData("evaluate", "--data", "DATA", "--folds", "1", "--fold", "0")]
    [InlineData("train", "--data", "DATA", "--dataset", "folder", "--out", "OUT", "--lr", "-1")]
    [InlineData("explain", "--out", "OUT", "--panel-size", "0", "x.png")]
    public void Bad_command_lines_get_one_line_without_internal_names(params string[] args)
    {
        string data = SyntheticCells.Write(Path.Combine(dir.Path, "data"), perClass: 3, classes: 2);
        string[] full = [.. args.Select(a => a.Replace("DATA", data).Replace("OUT", Path.Combine(dir.Path, "out")))];
        AssertOneLineWithoutInternalNames(CliProcess.Run(full));
    }

    private string ModelWithoutProblems()
    {
        string path = Path.Combine(dir.Path, "good.safetensors");
        if (!File.Exists(path)) ModelFile.Save(Explainability.ExplainerTests.Random(NcaConfig.Compact with { Steps = 4 }), path);
        return path;
    }
}
