using System.Text.Json;

namespace WbcNca.Tests.Cli;

/// <summary>Imports the authors' checkpoint once (when ../shared is there) for the CLI tests.</summary>
public sealed class ImportedModelFixture : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("wbc-nca-cli-").FullName;

    public string ModelPath => Path.Combine(Folder, "reference.safetensors");

    public CliProcess.Result? Import { get; private set; }

    public string RequireModel()
    {
        string pt = SharedData.Require("reference/wbc-nca-matek19-maxnca128.pt");
        Import ??= CliProcess.Run("import-torch", pt, "--out", ModelPath, "--normalization", "acevedo20");
        Assert.True(Import.ExitCode == 0, Import.Stderr);
        return ModelPath;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

[Collection(TorchCollection.Name)]
public class CliCommandTests(ImportedModelFixture fixture) : IClassFixture<ImportedModelFixture>
{
    [Fact]
    public void Info_on_the_paper_preset_prints_86413_parameters_as_json()
    {
        var r = CliProcess.Run("info", "--preset", "paper", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(86_413, doc.RootElement.GetProperty("parameters").GetInt64());
        Assert.Equal(64, doc.RootElement.GetProperty("config").GetProperty("steps").GetInt32());
    }

    [SkippableFact]
    public void Info_on_the_imported_reference_model_prints_86413_parameters()
    {
        string model = fixture.RequireModel();
        var r = CliProcess.Run("info", "--model", model);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("86,413", r.Stdout);
        Assert.Contains("acevedo20", r.Stdout);
    }

    [SkippableFact]
    public void Predict_json_prints_one_object_per_image_with_the_reference_logits()
    {
        string model = fixture.RequireModel();
        string folder = SharedData.Require("fixtures/acevedo64");
        string[] images = [Path.Combine(folder, "BA_468972.png"), Path.Combine(folder, "EO_294351.png")];
        var r = CliProcess.Run(["predict", "--model", model, "--json", "--update-probability", "1", .. images]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(2, r.StdoutLines.Length);

        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Model", "Resources", "reference_logits_acevedo64.json")));
        for (int i = 0; i < 2; i++)
        {
            using var line = JsonDocument.Parse(r.StdoutLines[i]);
            var o = line.RootElement;
            Assert.Equal(images[i], o.GetProperty("path").GetString());
            Assert.Equal(13, o.GetProperty("probabilities").GetArrayLength());
            float[] logits = o.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            float[] want = reference.RootElement.GetProperty("logits").GetProperty(Path.GetFileName(images[i])).EnumerateArray().Select(v => v.GetSingle()).ToArray();
            for (int c = 0; c < 13; c++) Assert.True(Math.Abs(logits[c] - want[c]) <= 1e-3 * Math.Abs(want[c]) + 1e-3, $"{images[i]} logit {c}");
            int index = o.GetProperty("index").GetInt32();
            Assert.Equal(Array.IndexOf(want, want.Max()), index);
            Assert.Equal(WbcNca.Data.CellClasses.Fine[index], o.GetProperty("class").GetString());
        }
    }

    [SkippableFact]
    public void Predict_stops_with_one_line_naming_an_unreadable_image()
    {
        string model = fixture.RequireModel();
        string bad = Path.Combine(fixture.Folder, "notes.jpg");
        File.WriteAllText(bad, "this is not an image");
        var r = CliProcess.Run("predict", "--model", model, bad);
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains("notes.jpg", r.Stderr);
        Assert.Contains("not an image", r.Stderr);
    }

    [SkippableFact]
    public void Predict_can_skip_unreadable_images_and_says_which()
    {
        string model = fixture.RequireModel();
        string dir = Path.Combine(fixture.Folder, "mixed");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(SharedData.Require("fixtures/acevedo64"), "LY_644505.png"), Path.Combine(dir, "a.png"), overwrite: true);
        File.WriteAllBytes(Path.Combine(dir, "b.png"), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]);
        var r = CliProcess.Run("predict", "--model", model, "--json", "--on-bad-image", "skip", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Single(r.StdoutLines);
        Assert.Contains("a.png", r.StdoutLines[0]);
        Assert.Contains("b.png", r.Stderr);
        Assert.Contains("1 unreadable image(s) skipped", r.Stderr);
    }

    [Fact]
    public void Predict_on_a_missing_image_fails_naming_it()
    {
        string model = Path.Combine(AppContext.BaseDirectory, "IO", "Resources", "tiny_state_dict.pt");
        var r = CliProcess.Run("predict", "--model", model, "cell.png");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: cell.png: no such file or folder", r.Stderr.Trim());
    }

    [Fact]
    public void Predict_with_a_missing_model_fails_naming_it()
    {
        string dir = Directory.CreateTempSubdirectory("wbc-nca-img-").FullName;
        try
        {
            var r = CliProcess.Run("predict", "--model", "nowhere.safetensors", dir);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("nowhere.safetensors", r.Stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Predict_without_a_model_uses_the_default_model_of_the_repository()
    {
        string dir = Directory.CreateTempSubdirectory("wbc-nca-img-").FullName;
        try
        {
            string img = Path.Combine(dir, "c.png");
            Explainability.TestCells.SavePng(Explainability.TestCells.Disc(40, 20, 20, 9, seed: 1), img);
            var r = CliProcess.Run("predict", "--json", img);
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var line = JsonDocument.Parse(r.StdoutLines.Single());
            Assert.Contains(line.RootElement.GetProperty("class").GetString(), WbcNca.Data.CellClasses.Fine);
            Assert.True(File.Exists(Path.Combine(SharedData.RepoRoot, WbcNca.Cli.CommonOptions.DefaultModelRelative)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Import_of_a_state_dict_of_another_model_fails_with_a_clear_message()
    {
        string tiny = Path.Combine(AppContext.BaseDirectory, "IO", "Resources", "tiny_state_dict.pt");
        string output = Path.Combine(fixture.Folder, "never.safetensors");
        var r = CliProcess.Run("import-torch", tiny, "--out", output, "--normalization", "acevedo20");
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains("tiny_state_dict.pt", r.Stderr);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("import-torch", "x.pt", "--out", "y.safetensors", "--normalization", "sunlight")]
    [InlineData("info", "--preset", "giant")]
    [InlineData("predict", "--model", "m.safetensors", "--device", "tpu", "x.png")]
    public void Bad_options_fail_with_one_line_and_a_nonzero_exit(params string[] args)
    {
        var r = CliProcess.Run(args);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Single(r.StderrLines);
    }

    [Fact]
    public void Cuda_device_without_cuda_is_refused_clearly()
    {
        string dir = Directory.CreateTempSubdirectory("wbc-nca-img-").FullName;
        try
        {
            var r = CliProcess.Run("predict", "--model", "m.safetensors", "--device", "cuda", dir);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("CUDA", r.Stderr);
        }
        finally { Directory.Delete(dir, true); }
    }
}

/// <summary>--update-probability 1 is an exactness check: running a model trained with p &lt; 1 that way warns on stderr.</summary>
[Collection(TorchCollection.Name)]
public sealed class UpdateProbabilityWarningTests : IDisposable
{
    private const string Warning = "warning: --update-probability 1 is an exactness check, not an inference mode: this model was trained with p = 0.5 and gives wrong classes at p = 1; leave the option out (or average --samples N) to classify";
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-p1-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Cell()
    {
        string img = Path.Combine(dir, "c.png");
        Explainability.TestCells.SavePng(Explainability.TestCells.Disc(40, 20, 20, 9, seed: 1), img);
        return img;
    }

    private string Model(double p)
    {
        string path = Path.Combine(dir, $"p{p}.safetensors");
        WbcNca.Checkpoints.ModelFile.Save(Explainability.ExplainerTests.Random(WbcNca.Model.NcaConfig.Compact with { Steps = 4, UpdateProbability = p }), path);
        return path;
    }

    [Fact]
    public void Predict_at_p_1_with_a_model_trained_at_p_0_5_prints_one_warning_line_and_still_classifies()
    {
        string img = Cell(), model = Model(0.5);
        var r = CliProcess.Run("predict", "--model", model, "--json", "--update-probability", "1", img);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Single(r.StdoutLines);
        Assert.Equal([Warning], r.StderrLines.Where(l => l.StartsWith("warning:")));
    }

    [Fact]
    public void Predict_warns_neither_at_the_models_own_fire_rate_nor_at_p_1_for_a_model_trained_at_p_1()
    {
        string img = Cell();
        foreach (var args in new[] { new[] { "--model", Model(0.5) }, ["--model", Model(0.5), "--update-probability", "0.5"], ["--model", Model(1.0), "--update-probability", "1"] })
        {
            var r = CliProcess.Run(["predict", "--json", .. args, img]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.DoesNotContain("warning:", r.Stderr);
        }
    }

    [Fact]
    public void Explain_at_p_1_with_a_model_trained_at_p_0_5_prints_the_same_warning()
    {
        string img = Cell();
        var r = CliProcess.Run("explain", "--model", Model(0.5), "--update-probability", "1", "--out", Path.Combine(dir, "explained"), img);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains(Warning, r.StderrLines);
    }

    [Fact]
    public void The_help_of_predict_and_explain_says_that_p_1_is_an_exactness_check()
    {
        foreach (string command in new[] { "predict", "explain" })
        {
            var r = CliProcess.Run(command, "--help");
            Assert.Contains("exactness check", System.Text.RegularExpressions.Regex.Replace(r.Stdout, @"\s+", " "));
        }
    }
}
