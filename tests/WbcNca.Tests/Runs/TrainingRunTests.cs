using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Model;
using WbcNca.Runs;
using WbcNca.Tests.Data;
using WbcNca.Tests.Explainability;
using WbcNca.Training;
using static TorchSharp.torch;

namespace WbcNca.Tests.Runs;

[Collection(TorchCollection.Name)]
public sealed class TrainingRunTests : IDisposable
{
    private readonly TempTree tree = new();

    public void Dispose() => tree.Dispose();

    [Fact]
    public void A_training_run_records_its_held_out_fold_and_test_scores_so_that_evaluation_finds_the_same_images()
    {
        string data = Path.Combine(tree.Root, "set");
        for (int i = 0; i < 9; i++)
        {
            TestCells.SavePng(TestCells.Disc(24, 12, 12, 5 + i % 4, seed: i), Path.Combine(data, "neutrophil", $"n{i}.png"));
            TestCells.SavePng(TestCells.Disc(24, 11, 13, 8, seed: 50 + i), Path.Combine(data, "lymphocyte", $"l{i}.png"));
        }
        File.WriteAllText(Path.Combine(data, "lymphocyte", "broken.png"), "not an image");
        var spec = ModelSpec.ForNca(new NcaConfig(Channels: 6, HiddenSize: 8, Steps: 2, ImageSize: 12));
        var options = new TrainOptions(Epochs: 1, BatchSize: 4, EpochSize: 8, Seed: 3, Folds: 3, Fold: 2, SplitSeed: 5, Augmentation: AugmentationOptions.None);
        string outPath = Path.Combine(tree.Root, "run");
        var lines = new List<string>();

        var result = TrainingRun.Execute(new TrainingRun("folder", data, spec, options, outPath, Resume: false, LimitPerClass: 0, LoaderThreads: 1, SkipBadImages: true),
            CPU, RunLog.Into(lines), CancellationToken.None);

        Assert.True(result.Completed);
        Assert.Contains(lines, l => l.StartsWith("warning: skipped", StringComparison.Ordinal) && l.Contains("broken.png"));
        ModelBundle best = ModelFile.Load(Path.Combine(outPath, "best.safetensors"));
        Assert.Equal("lymphocyte/broken.png", best.Provenance[HeldOutFold.UnreadableKey]);
        Assert.Equal(new HeldOutFold(2, 3, 5), HeldOutFold.Recorded(best.Provenance, "best"));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outPath, "config.json")));
        string[] listed = config.RootElement.GetProperty("test_items").EnumerateArray().Select(e => e.GetString()!).ToArray();
        using var test = JsonDocument.Parse(File.ReadAllText(Path.Combine(outPath, "test.json")));
        Assert.Equal(test.RootElement.GetProperty("accuracy").GetDouble(), double.Parse(best.Provenance["test_accuracy"], System.Globalization.CultureInfo.InvariantCulture), 4);

        // Without the run folder (the model copied elsewhere), the fold is rebuilt from the record: the same images.
        string elsewhere = Path.Combine(tree.Folder("copy"), "model.safetensors");
        File.Copy(Path.Combine(outPath, "best.safetensors"), elsewhere);
        var rebuilt = HeldOutFold.Recorded(best.Provenance, elsewhere)!.TestItems(elsewhere, best.Provenance, DatasetReader.Open("folder", data), out string source);
        Assert.Contains("checked", source);
        Assert.Equal(listed.Order(StringComparer.Ordinal), rebuilt.Select(i => i.RelativePath).Order(StringComparer.Ordinal));

        // The feature distance is fitted at the end of training, and its threshold chosen on validation.
        Assert.NotNull(best.FeatureDistance);
        Assert.Equal(6, best.FeatureDistance!.Dimension);
        Assert.True(best.Decision.MaxFeatureDistance > 0);
        // calibrate fits the same rules again for a copy without them, from the recorded split alone.
        string bare = Path.Combine(tree.Folder("bare"), "model.safetensors");
        ModelFile.Save(best with { FeatureDistance = null, Decision = WbcNca.Inference.DecisionRule.Default, Calibration = WbcNca.Inference.Calibration.None }, bare);
        string refitted = Path.Combine(tree.Root, "bare", "refitted.safetensors");
        ModelBundle again = new CalibrationRun(bare, "folder", data, refitted).Run(RunLog.Silent);
        Assert.Equal(best.Decision.MaxFeatureDistance, again.Decision.MaxFeatureDistance, 3);
        Assert.Equal(best.Calibration.Temperature, again.Calibration.Temperature, 3);
        Assert.Equal(best.Decision.ReviewBelow, again.Decision.ReviewBelow, 3);
        Assert.NotNull(ModelFile.Load(refitted).FeatureDistance);
        // With examples of what is not a white cell (here: plain discs unlike both classes), the threshold is chosen on them too.
        string[] outliers = Enumerable.Range(0, 4).Select(i =>
        {
            string path = Path.Combine(tree.Folder("outliers"), $"o{i}.png");
            TestCells.SavePng(TestCells.Disc(24, 4 + i, 20 - i, 3, seed: 90 + i), path);
            return path;
        }).ToArray();
        ModelBundle strict = new CalibrationRun(bare, "folder", data, Path.Combine(tree.Root, "bare", "strict.safetensors"), Outliers: outliers).Run(RunLog.Silent);
        Assert.Contains("4 examples of non-white cells", strict.Decision.FeatureDistanceChosenOn);
        Assert.True(strict.Decision.MaxFeatureDistance <= again.Decision.MaxFeatureDistance);
        // Fitted on answers averaged over 4 views, the model keeps that averaging as how it answers.
        string viewsPath = Path.Combine(tree.Root, "bare", "views.safetensors");
        var counted = new CountingLog();
        ModelBundle views = new CalibrationRun(bare, "folder", data, viewsPath, Averaging: new WbcNca.Inference.TestTimeAveraging(4, Views: true)).Run(counted);
        // Its progress counts every forward pass of the 4 runs and ends at the total it announced.
        var (total, done) = counted.Counts["calibrating"];
        Assert.True(total > 0 && total % 4 == 0, $"total {total}");
        Assert.Equal(total, done);
        Assert.Equal(new WbcNca.Inference.TestTimeAveraging(4, true), ModelFile.Load(viewsPath).Averaging);
        Assert.True(views.Calibration.IsFitted && views.Decision.ReviewBelow > 0 && views.Decision.MaxFeatureDistance > 0);
        Assert.True(views.Decision.MaxSpread >= WbcNca.Inference.DecisionRule.Default.MaxSpread);   // chosen on the averaged answers, never stricter
        views.Model.Dispose();
        strict.Model.Dispose();
        best.Model.Dispose();
        again.Model.Dispose();
    }
}
