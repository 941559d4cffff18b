using System.CommandLine;
using System.Text.Json;
using SkiaSharp;
using WbcNca.Checkpoints;
using WbcNca.Cli;
using WbcNca.Cli.Commands;
using WbcNca.Imaging;
using WbcNca.Tests.Explainability;

namespace WbcNca.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-evaluate-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);


    [Fact]
    public void Evaluate_with_explain_summary_writes_where_the_model_looks_per_image_and_per_true_class()
    {
        string model = Path.Combine(dir, "m.safetensors");
        ModelFile.Save(ExplainerTests.Random(WbcNca.Model.NcaConfig.Compact with { Steps = 4 }), model);
        string data = Path.Combine(dir, "set");
        TestCells.SavePng(TestCells.Disc(40, 20, 20, 8, seed: 1), Path.Combine(data, "Basophil", "1.png"));
        TestCells.SavePng(TestCells.Disc(40, 18, 21, 9, seed: 2), Path.Combine(data, "Basophil", "2.png"));
        TestCells.SavePng(TestCells.Disc(40, 22, 19, 7, seed: 3), Path.Combine(data, "lymphocyte", "3.png"));
        string summaryPath = Path.Combine(dir, "focus.json");

        var root = new RootCommand("test") { EvaluateCommand.Create() };
        var stderr = new StringWriter();
        int code = CliRunner.Run(root, ["evaluate", "--model", model, "--dataset", "folder", "--data", data, "--explain-summary", summaryPath, "--json", "--threads", "1"], stderr);

        Assert.True(code == 0, stderr.ToString());
        using var summary = JsonDocument.Parse(File.ReadAllText(summaryPath));
        Assert.Equal(3, summary.RootElement.GetProperty("images").GetArrayLength());
        var classes = summary.RootElement.GetProperty("classes").EnumerateArray().ToList();
        Assert.Equal(["basophil", "lymphocyte"], classes.Select(c => c.GetProperty("class").GetString()));
        Assert.Equal([2, 1], classes.Select(c => c.GetProperty("images").GetInt32()));
    }
}
