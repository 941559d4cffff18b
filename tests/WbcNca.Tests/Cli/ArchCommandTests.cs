using System.Text.Json;

namespace WbcNca.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class ArchCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wbc-nca-arch-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [SkippableFact]
    public void Train_with_arch_resnet18_evaluates_its_test_fold_and_makes_a_model_that_predict_and_info_use_as_a_resnet18()
    {
        string data = SharedData.Require("data/acevedo20");
        string run = Path.Combine(root, "run");
        var train = CliProcess.Run("train", "--arch", "resnet18", "--data", data, "--out", run, "--image-size", "32", "--limit-per-class", "3",
            "--folds", "3", "--epochs", "1", "--epoch-size", "16", "--batch-size", "8", "--threads", "2");
        Assert.True(train.ExitCode == 0, train.Stderr + train.Stdout);
        Assert.DoesNotContain(train.StderrLines, l => l.Contains("NNPACK", StringComparison.Ordinal));   // libtorch's warning per convolution
        string model = Path.Combine(run, "best.safetensors");
        using (var test = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "test.json"))))
            Assert.True(test.RootElement.GetProperty("n").GetInt32() > 0);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
            Assert.Equal("resnet18", config.RootElement.GetProperty("arch").GetString());

        var info = CliProcess.Run("info", "--model", model, "--json");
        Assert.Equal(0, info.ExitCode);
        using (var doc = JsonDocument.Parse(info.Stdout))
        {
            Assert.Equal("resnet18", doc.RootElement.GetProperty("arch").GetString());
            Assert.Equal(11_183_181, doc.RootElement.GetProperty("parameters").GetInt64());
            Assert.True(doc.RootElement.GetProperty("macs_per_image").GetInt64() > 0);
        }

        string image = Directory.EnumerateFiles(Path.Combine(data, "basophil")).Order(StringComparer.Ordinal).First();
        var predict = CliProcess.Run("predict", "--model", model, "--json", "--samples", "3", image);
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        using (var doc = JsonDocument.Parse(predict.StdoutLines.Single()))
        {
            Assert.Equal(13, doc.RootElement.GetProperty("probabilities").GetArrayLength());
            Assert.False(doc.RootElement.TryGetProperty("probability_std", out _));   // a CNN is deterministic: no spread to report
        }

        // What only an NCA has is refused in one line naming the model file.
        var explain = CliProcess.Run("explain", "--model", model, "--out", Path.Combine(root, "explained"), image);
        Assert.Equal(1, explain.ExitCode);
        Assert.Equal($"error: {model}: is a resnet18 model; only NCA models can be explained (their channel maps are what the explanation shows)", explain.StderrLines.Last());
        var export = CliProcess.Run("export-onnx", "--model", model, "--out", Path.Combine(root, "m.onnx"));
        Assert.Equal(1, export.ExitCode);
        Assert.Equal($"error: {model}: is a resnet18 model; only NCA models can be exported to ONNX", export.StderrLines.Last());
    }

    [Fact]
    public void Nca_only_options_with_a_baseline_architecture_are_a_one_line_user_error()
    {
        var r = CliProcess.Run("train", "--arch", "resnext50", "--channels", "16", "--data", root, "--out", Path.Combine(root, "x"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--channels: applies to --arch nca only", r.Stderr);
        Assert.Single(r.StderrLines);
    }
}
