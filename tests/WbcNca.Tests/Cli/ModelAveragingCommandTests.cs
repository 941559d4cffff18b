using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Inference;
using WbcNca.Model;
using WbcNca.Tests.Explainability;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Cli;

/// <summary>A model's stored averaging (calibrate --samples N --views) is how predict, explain and info use it unless told otherwise.</summary>
[Collection(TorchCollection.Name)]
public sealed class ModelAveragingCommandTests : IDisposable
{
    private readonly TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    private static float[] Probabilities(CliProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.StdoutLines.Single());
        return [.. doc.RootElement.GetProperty("probabilities").EnumerateArray().Select(e => e.GetSingle())];
    }

    private static bool HasSpread(CliProcess.Result r)
    {
        using var doc = JsonDocument.Parse(r.StdoutLines.Single());
        return doc.RootElement.TryGetProperty("probability_std", out _);
    }

    [Fact]
    public void Predict_answers_with_the_models_stored_averaging_unless_samples_or_views_are_given_and_the_file_keeps_it()
    {
        ModelBundle random = ExplainerTests.Random(NcaConfig.Compact with { Steps = 3 });
        string plain = Path.Combine(dir.Path, "plain.safetensors"), averaged = Path.Combine(dir.Path, "averaged.safetensors");
        ModelFile.Save(random, plain);
        ModelFile.Save(random with { Averaging = new TestTimeAveraging(4, Views: true) }, averaged);
        Assert.Equal(new TestTimeAveraging(4, true), ModelFile.Load(averaged).Averaging);
        Assert.Equal(TestTimeAveraging.Single, ModelFile.Load(plain).Averaging);
        string image = Path.Combine(dir.Path, "cell.png");
        TestCells.SavePng(TestCells.Disc(48, 24, 24, 10, seed: 4), image);

        var byDefault = CliProcess.Run("predict", "--model", averaged, "--json", "--threads", "1", image);
        float[] stored = Probabilities(byDefault);
        Assert.True(HasSpread(byDefault));   // four runs: their spread is reported
        Assert.Equal(Probabilities(CliProcess.Run("predict", "--model", plain, "--json", "--threads", "1", "--samples", "4", "--views", image)), stored);
        Assert.NotEqual(Probabilities(CliProcess.Run("predict", "--model", plain, "--json", "--threads", "1", "--samples", "4", image)), stored);
        var one = CliProcess.Run("predict", "--model", averaged, "--json", "--threads", "1", "--samples", "1", image);
        Assert.Equal(Probabilities(CliProcess.Run("predict", "--model", plain, "--json", "--threads", "1", image)), Probabilities(one));
        Assert.False(HasSpread(one));
        Assert.Equal(Probabilities(CliProcess.Run("predict", "--model", plain, "--json", "--threads", "1", "--samples", "4", image)),
            Probabilities(CliProcess.Run("predict", "--model", averaged, "--json", "--threads", "1", "--views", "false", image)));

        var info = CliProcess.Run("info", "--model", averaged, "--json");
        Assert.True(info.ExitCode == 0, info.Stderr);
        using (var doc = JsonDocument.Parse(info.Stdout))
            Assert.Equal(4, doc.RootElement.GetProperty("averaging").GetProperty("samples").GetInt32());
        string table = CliProcess.Run("info", "--model", averaged).Stdout;
        Assert.Contains("answers with", table);
        Assert.Contains("4 views (mask draws", table);
    }

    [Fact]
    public void Calibrate_with_views_but_one_sample_or_too_many_samples_is_one_line_and_exit_1()
    {
        string model = Path.Combine(dir.Path, "m.safetensors");
        ModelFile.Save(ExplainerTests.Random(NcaConfig.Compact with { Steps = 2 }), model);
        string data = Directory.CreateDirectory(Path.Combine(dir.Path, "data", "neutrophil")).Parent!.FullName;
        foreach (var (args, expected) in new (string[] Args, string Expected)[]
        {
            (["--views"], "--views: averages several runs, each on another view; give --samples 2 or more"),
            (["--samples", "65"], "--samples must be in 1..64 (got 65)"),
        })
        {
            var r = CliProcess.Run(["calibrate", "--model", model, "--dataset", "folder", "--data", data, "--out", Path.Combine(dir.Path, "out.safetensors"), .. args]);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains(expected, Assert.Single(r.StderrLines));
        }
        Assert.False(File.Exists(Path.Combine(dir.Path, "out.safetensors")));
    }
}
