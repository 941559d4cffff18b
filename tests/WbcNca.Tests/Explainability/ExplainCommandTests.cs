using System.CommandLine;
using System.Text.Json;
using SkiaSharp;
using WbcNca.Checkpoints;
using WbcNca.Cli;
using WbcNca.Cli.Commands;
using WbcNca.Imaging;

namespace WbcNca.Tests.Explainability;

[Collection(TorchCollection.Name)]
public sealed class ExplainCommandTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"wbc-explain-cli-{Guid.NewGuid():N}");
    private readonly string model;

    public ExplainCommandTests()
    {
        Directory.CreateDirectory(Path.Combine(dir, "a"));
        Directory.CreateDirectory(Path.Combine(dir, "b"));
        model = Path.Combine(dir, "compact.safetensors");
        ModelFile.Save(ExplainerTests.Random(WbcNca.Model.NcaConfig.Compact with { Steps = 6 }), model);
        TestCells.SavePng(TestCells.Disc(48, 20, 22, 9, seed: 1), Path.Combine(dir, "a", "cell.png"));
        TestCells.SavePng(TestCells.Disc(40, 22, 18, 7, seed: 2), Path.Combine(dir, "b", "cell.png"));   // same name, other folder
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);


    private static (int Code, string Stderr) Run(params string[] args)
    {
        var root = new RootCommand("test") { ExplainCommand.Create() };
        var stderr = new StringWriter();
        return (CliRunner.Run(root, ["explain", .. args], stderr), stderr.ToString());
    }

    [Fact]
    public void Explain_writes_a_figure_and_json_per_image_a_report_and_a_summary()
    {
        string outDir = Path.Combine(dir, "out");
        var (code, stderr) = Run("--model", model, Path.Combine(dir, "a"), Path.Combine(dir, "b"), "--out", outDir, "--top", "3", "--samples", "2", "--evolution-every", "3", "--threads", "1");
        Assert.True(code == 0, stderr);
        foreach (string f in new[] { "cell.png", "cell.json", "cell-2.png", "cell-2.json", "report.html", "summary.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), $"{f} is missing");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "cell-2.json")));
        Assert.EndsWith(Path.Combine("b", "cell.png"), json.RootElement.GetProperty("source").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("top_channels").GetArrayLength());
        Assert.Equal(2, json.RootElement.GetProperty("samples").GetInt32());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal(2, summary.RootElement.GetProperty("images").GetArrayLength());
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Equal(2, html.Split("data:image/png;base64,").Length - 1);
        Assert.Contains("compact.safetensors", html);
    }

    [Fact]
    public void A_bad_image_stops_explain_with_a_one_line_error_naming_it_unless_asked_to_skip()
    {
        string bad = Path.Combine(dir, "a", "broken.jpg");
        File.WriteAllBytes(bad, [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 1, 2, 3]);
        var (code, stderr) = Run("--model", model, Path.Combine(dir, "a"), "--out", Path.Combine(dir, "out1"));
        Assert.Equal(CliRunner.InputError, code);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains(bad, stderr);
        Assert.Single(stderr.Trim().Split('\n'));

        (code, stderr) = Run("--model", model, Path.Combine(dir, "a"), "--out", Path.Combine(dir, "out2"), "--on-bad-image", "skip");
        Assert.True(code == 0, stderr);
        Assert.Contains("broken.jpg", File.ReadAllText(Path.Combine(dir, "out2", "report.html")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out2", "summary.json")));
        Assert.Contains(bad, summary.RootElement.GetProperty("skipped")[0].GetString());
        Assert.True(File.Exists(Path.Combine(dir, "out2", "cell.png")));
    }

    [Fact]
    public void An_unknown_class_or_a_missing_model_is_a_clear_error()
    {
        var (code, stderr) = Run("--model", model, Path.Combine(dir, "a"), "--out", Path.Combine(dir, "o"), "--class", "dragon");
        Assert.Equal(CliRunner.InputError, code);
        Assert.Contains("--class: 'dragon' is neither a class", stderr);
        (code, stderr) = Run("--model", Path.Combine(dir, "none.safetensors"), Path.Combine(dir, "a"), "--out", Path.Combine(dir, "o"));
        Assert.Equal(CliRunner.InputError, code);
        Assert.Contains("model file not found", stderr);
    }

    [Fact]
    public void A_class_is_chosen_by_name_or_index()
    {
        var classes = WbcNca.Data.CellClasses.Fine;
        Assert.Equal(9, ExplainCommand.ParseClass("Monocyte", classes));
        Assert.Equal(4, ExplainCommand.ParseClass("4", classes));
        Assert.Null(ExplainCommand.ParseClass(null, classes));
        Assert.Throws<WbcNcaException>(() => ExplainCommand.ParseClass("13", classes));
    }
}
