using WbcNca.Checkpoints;
using WbcNca.Model;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Cli;

/// <summary><c>calibrate</c> (the real program): the mistakes a user can make give one line and a non-zero exit.</summary>
[Collection(TorchCollection.Name)]
public sealed class CalibrateCommandTests : IDisposable
{
    private readonly TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_model_without_a_recorded_split_or_a_missing_data_folder_is_one_line_and_exit_1()
    {
        string model = Path.Combine(dir.Path, "imported.safetensors");
        ModelFile.Save(Explainability.ExplainerTests.Random(NcaConfig.Compact with { Steps = 2 }), model);
        string data = Directory.CreateDirectory(Path.Combine(dir.Path, "data", "neutrophil")).Parent!.FullName;
        string output = Path.Combine(dir.Path, "out.safetensors");

        var noSplit = CliProcess.Run("calibrate", "--model", model, "--dataset", "folder", "--data", data, "--out", output);
        Assert.Equal(1, noSplit.ExitCode);
        string line = Assert.Single(noSplit.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("imported.safetensors", line);
        Assert.Contains("records no training split", line);

        var noData = CliProcess.Run("calibrate", "--model", model, "--data", Path.Combine(dir.Path, "nowhere"), "--out", output);
        Assert.Equal(1, noData.ExitCode);
        Assert.Contains("--data", Assert.Single(noData.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(File.Exists(output));
    }
}
