using System.CommandLine;
using System.Text.Json;
using SkiaSharp;
using WbcNca.Checkpoints;
using WbcNca.Cli;
using WbcNca.Cli.Commands;
using WbcNca.Explainability;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Tests.Imaging;

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

    /// <summary>Pixels of the figure drawn in the colour of the explained cell's box.</summary>
    private static int HighlightPixels(string png)
    {
        using SKBitmap figure = SKBitmap.Decode(png);
        int n = 0;
        for (int y = 0; y < figure.Height; y++)
            for (int x = 0; x < figure.Width; x++)
                if (figure.GetPixel(x, y) == ExplanationFigure.Highlight) n++;
        return n;
    }

    [SkippableFact]
    public void Explain_cell_2_of_a_field_explains_that_cell_names_it_and_its_box_and_draws_the_field_with_it_highlighted()
    {
        var (field, centres) = SyntheticField.Make();
        string path = Path.Combine(dir, "field.png");
        File.WriteAllBytes(path, TestImages.Png(field));
        string outDir = Path.Combine(dir, "field-out");
        var stdout = new StringWriter();
        TextWriter before = Console.Out;
        Console.SetOut(stdout);
        (int code, string stderr) = (0, "");
        try { (code, stderr) = Run("--model", model, path, "--out", outDir, "--cell", "2", "--top", "2", "--threads", "1"); }
        finally { Console.SetOut(before); }
        Assert.True(code == 0, stderr);
        Assert.Contains($"{path} #2 (of 3 cells): ", stdout.ToString());
        Assert.True(File.Exists(Path.Combine(outDir, "field.png")), "the figure is missing");

        // The cell explained is the second of those predict answers, with its box.
        ModelBundle bundle = ModelFile.Load(model);
        FilePrediction[] cells = [.. FilePredictions.Run(new Predictor(bundle), bundle.Preprocessor(), [path], new PredictOptions(), skipUnreadable: false)];
        Assert.Equal(3, cells.Length);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "field.json")));
        JsonElement root = json.RootElement;
        Assert.Equal((1, 3), (root.GetProperty("cell").GetInt32(), root.GetProperty("cells_in_image").GetInt32()));
        JsonElement box = root.GetProperty("box");
        CellCandidate nucleus = cells[1].Location!.Cell!;
        Assert.Equal(((int)Math.Round(nucleus.X), (int)Math.Round(nucleus.Y), (int)Math.Round(nucleus.Width), (int)Math.Round(nucleus.Height)),
            (box.GetProperty("x").GetInt32(), box.GetProperty("y").GetInt32(), box.GetProperty("width").GetInt32(), box.GetProperty("height").GetInt32()));
        Assert.Single(centres, c => SyntheticField.Inside(c, new CellCandidate(box.GetProperty("x").GetInt32(), box.GetProperty("y").GetInt32(), box.GetProperty("width").GetInt32(), box.GetProperty("height").GetInt32(), 0, 0), 8));
        Assert.Equal(cells[1].Prediction!.ClassName, root.GetProperty("predicted_class").GetString());
        Assert.Equal(cells[1].Prediction!.Confidence, root.GetProperty("confidence").GetSingle(), 4);
        // The figure shows the field with the explained cell's box highlighted; a single cell's figure has no field.
        Assert.True(HighlightPixels(Path.Combine(outDir, "field.png")) > 40, "no highlighted box in the figure");
        var (single, singleErr) = Run("--model", model, Path.Combine(dir, "a"), "--out", Path.Combine(dir, "single-out"), "--top", "2", "--threads", "1");
        Assert.True(single == 0, singleErr);
        Assert.Equal(0, HighlightPixels(Path.Combine(dir, "single-out", "cell.png")));
        using var singleJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "single-out", "cell.json")));
        Assert.Equal((0, 1), (singleJson.RootElement.GetProperty("cell").GetInt32(), singleJson.RootElement.GetProperty("cells_in_image").GetInt32()));
    }

    [SkippableFact]
    public void A_cell_beyond_those_found_or_below_1_is_one_line_naming_the_option_and_writes_no_figure()
    {
        var (field, _) = SyntheticField.Make();
        string path = Path.Combine(dir, "field.png");
        File.WriteAllBytes(path, TestImages.Png(field));
        string outDir = Path.Combine(dir, "bad-cell");
        var (code, stderr) = Run("--model", model, path, "--out", outDir, "--cell", "4");
        Assert.Equal(CliRunner.InputError, code);
        Assert.Equal($"error: {path}: --cell 4: the image holds 3 white cells (give --cell 1 to 3)", stderr.Trim());
        Assert.False(File.Exists(Path.Combine(outDir, "field.png")));

        (code, stderr) = Run("--model", model, Path.Combine(dir, "a", "cell.png"), "--out", outDir, "--cell", "2");
        Assert.Equal(CliRunner.InputError, code);
        Assert.Equal($"error: {Path.Combine(dir, "a", "cell.png")}: --cell 2: the image holds one white cell (give --cell 1, or leave --cell out)", stderr.Trim());

        (code, stderr) = Run("--model", model, path, "--out", outDir, "--cell", "0");
        Assert.Equal(CliRunner.InputError, code);
        Assert.Equal("error: --cell must be ≥ 1 (got 0)", stderr.Trim());
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
