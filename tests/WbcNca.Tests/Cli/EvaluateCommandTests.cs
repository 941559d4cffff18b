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

    [Fact]
    public void Evaluating_a_per_class_subset_also_reports_the_accuracy_at_the_whole_sets_class_mix()
    {
        string model = Path.Combine(dir, "m.safetensors");
        ModelFile.Save(ExplainerTests.Random(WbcNca.Model.NcaConfig.Compact with { Steps = 4 }), model);
        string data = Path.Combine(dir, "set");
        for (int i = 0; i < 5; i++) TestCells.SavePng(TestCells.Disc(32, 16, 16, 6 + i % 3, seed: i), Path.Combine(data, "neutrophil", $"n{i}.png"));
        for (int i = 0; i < 2; i++) TestCells.SavePng(TestCells.Disc(32, 15, 17, 9, seed: 10 + i), Path.Combine(data, "monocyte", $"m{i}.png"));
        string jsonPath = Path.Combine(dir, "eval.json");

        var root = new RootCommand("test") { EvaluateCommand.Create() };
        var stderr = new StringWriter();
        int code = CliRunner.Run(root, ["evaluate", "--model", model, "--dataset", "folder", "--data", data, "--limit-per-class", "2",
            "--mask-seeds", "0,1", "--out-json", jsonPath, "--json", "--threads", "1"], stderr);

        Assert.True(code == 0, stderr.ToString());
        using var report = JsonDocument.Parse(File.ReadAllText(jsonPath));
        Assert.Equal(4, report.RootElement.GetProperty("n").GetInt32());
        var population = report.RootElement.GetProperty("population");
        Assert.Equal(7, population.GetProperty("images").GetInt32());
        // Recompute the estimate from the pooled per-class recalls of the report (pooled recall = mean over seeds here).
        double Recall(string c) => report.RootElement.GetProperty("per_class").GetProperty(c).GetProperty("recall").GetDouble();
        double expected = (Recall("neutrophil") * 5 + Recall("monocyte") * 2) / 7;
        Assert.Equal(expected, population.GetProperty("estimated_accuracy").GetDouble(), 9);
    }

    private string CoarseSet(int perClass = 3)
    {
        string data = Path.Combine(dir, "coarse-set");
        string[] classes = ["basophil", "lymphocyte", "monocyte", "neutrophil"];
        for (int c = 0; c < classes.Length; c++)
            for (int i = 0; i < perClass; i++)
                TestCells.SavePng(TestCells.Disc(32, 14 + i, 15 + c, 5 + (i + c) % 5, seed: 10 * c + i), Path.Combine(data, classes[c], $"{c}-{i}.png"));
        return data;
    }

    private string RandomFineModel()
    {
        string model = Path.Combine(dir, "fine.safetensors");
        ModelFile.Save(ExplainerTests.Random(WbcNca.Model.NcaConfig.Compact with { Steps = 4 }), model);
        return model;
    }

    [Fact]
    public void Evaluating_a_coarse_set_reports_five_type_metrics_that_move_only_the_cells_called_other()
    {
        string model = RandomFineModel(), data = CoarseSet();
        var root = new RootCommand("test") { EvaluateCommand.Create() };
        var stderr = new StringWriter();
        string jsonPath = Path.Combine(dir, "coarse.json");
        int code = CliRunner.Run(root, ["evaluate", "--model", model, "--data", data, "--mask-seeds", "0,2", "--samples", "2", "--out-json", jsonPath, "--threads", "1"], stderr);

        Assert.True(code == 0, stderr.ToString());
        using var report = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var r = report.RootElement;
        Assert.Equal("coarse", r.GetProperty("level").GetString());
        Assert.Equal(2, r.GetProperty("samples").GetInt32());
        var five = r.GetProperty("five_types");
        foreach (string key in new[] { "accuracy", "balanced_accuracy", "macro_f1", "per_class", "confusion" }) Assert.True(five.TryGetProperty(key, out _), key);
        Assert.Equal(12, five.GetProperty("n").GetInt32());
        long[][] Matrix(JsonElement m) => m.GetProperty("confusion").GetProperty("matrix").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        long[][] coarse = Matrix(r), types = Matrix(five);
        Assert.Equal(5, types.Length);
        // The five-type answer equals the coarse one wherever that is a main type; only cells called "other" move.
        long other = 0;
        for (int t = 0; t < 5; t++)
        {
            for (int p = 0; p < 5; p++) Assert.True(types[t][p] >= coarse[t][p], $"true {t}, predicted {p}");
            Assert.Equal(coarse[t].Sum(), types[t].Sum());
            Assert.Equal(coarse[t][5], types[t].Sum() - coarse[t].Take(5).Sum());
            other += coarse[t][5];
        }
        Assert.True(other > 0, "the random model should call some cells 'other', or the test shows nothing");
        double recall = five.GetProperty("per_class").GetProperty("monocyte").GetProperty("recall").GetDouble();
        Assert.Equal((double)types[3][3] / types[3].Sum(), recall, 12);
    }

    [Fact]
    public void The_evaluation_table_shows_the_five_type_block_and_predicted_counts()
    {
        string model = RandomFineModel(), data = CoarseSet(perClass: 2);
        var r = CliProcess.Run("evaluate", "--model", model, "--data", data, "--samples", "3", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        string text = System.Text.RegularExpressions.Regex.Replace(r.Stdout, @"\s+", " ");   // the console wraps long lines
        Assert.Contains("coarse level, 8 images", text);
        Assert.Contains("1 mask seed(s) × 3 averaged mask draws", text);
        Assert.Contains("five main types only (arg-max over their classes), 8 images of those types", text);
        Assert.Equal(2, r.StdoutLines.Count(l => l.Contains("predicted") && l.Contains("support")));
    }

    [Fact]
    public void Evaluate_held_out_uses_the_fold_the_models_run_recorded_and_warns_about_a_fold_it_trained_on()
    {
        string data = Path.Combine(dir, "set");
        for (int i = 0; i < 6; i++) TestCells.SavePng(TestCells.Disc(32, 16, 16, 6 + i % 3, seed: i), Path.Combine(data, "neutrophil", $"n{i}.png"));
        for (int i = 0; i < 6; i++) TestCells.SavePng(TestCells.Disc(32, 15, 17, 9, seed: 10 + i), Path.Combine(data, "monocyte", $"m{i}.png"));
        var set = WbcNca.Data.DatasetReader.Open("folder", data);
        var rule = new WbcNca.Runs.HeldOutFold(Fold: 1, Folds: 3, SplitSeed: 2);
        var test = rule.Split(set, set.Items).TrainTest(1).Test.Select(i => set.Items[i]).ToArray();
        string model = Path.Combine(dir, "m.safetensors");
        var bundle = ExplainerTests.Random(WbcNca.Model.NcaConfig.Compact with { Steps = 4 });
        ModelFile.Save(bundle with { Provenance = new Dictionary<string, string>(rule.Provenance(test, [])) { ["dataset"] = "folder" } }, model);
        string jsonPath = Path.Combine(dir, "held-out.json");

        var heldOut = CliProcess.Run("evaluate", "--model", model, "--data", data, "--held-out", "--out-json", jsonPath, "--json", "--threads", "1");
        Assert.True(heldOut.ExitCode == 0, heldOut.Stderr);
        using (var report = JsonDocument.Parse(File.ReadAllText(jsonPath)))
            Assert.Equal(test.Length, report.RootElement.GetProperty("n").GetInt32());
        Assert.Contains("evaluating the model's held-out fold: fold 1/3 (split seed 2) rebuilt from the model's record and checked", heldOut.Stderr);

        var trainedOn = CliProcess.Run("evaluate", "--model", model, "--data", data, "--fold", "0", "--json", "--threads", "1");
        Assert.True(trainedOn.ExitCode == 0, trainedOn.Stderr);
        Assert.Contains("warning: fold 0 was part of this model's training data (its run held out fold 1); the scores will be optimistic", trainedOn.Stderr);
    }

    [Fact]
    public void Evaluate_held_out_with_a_model_that_records_no_split_is_one_line_naming_the_model()
    {
        string data = Path.Combine(dir, "set");
        TestCells.SavePng(TestCells.Disc(32, 16, 16, 6, seed: 1), Path.Combine(data, "neutrophil", "n.png"));
        string model = Path.Combine(dir, "m.safetensors");
        var bundle = ExplainerTests.Random(WbcNca.Model.NcaConfig.Compact with { Steps = 4 });
        ModelFile.Save(bundle with { Provenance = new Dictionary<string, string> { ["source"] = "test" } }, model);
        var root = new RootCommand("test") { EvaluateCommand.Create() };
        var stderr = new StringWriter();

        int code = CliRunner.Run(root, ["evaluate", "--model", model, "--data", data, "--held-out"], stderr);

        Assert.Equal(1, code);
        Assert.Equal($"error: {model}: records no training split, so it has no held-out fold; give --fold and --folds", stderr.ToString().Trim().Split('\n')[^1]);
    }
}
