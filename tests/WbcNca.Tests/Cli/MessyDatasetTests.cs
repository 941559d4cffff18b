using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Cli;
using WbcNca.Cli.Commands;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Model;
using WbcNca.Tests.Imaging;
using WbcNca.Tests.Training;

namespace WbcNca.Tests.Cli;

/// <summary>
/// <c>evaluate</c> and <c>train</c> (real processes) on a data set as labs hand them over: unreadable images in class
/// folders, a non-image file, hidden files, an unknown folder, an empty class, a stray file, a followed and a broken
/// symbolic link, and identical files under two labels.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class MessyDatasetTests : IDisposable
{
    private static readonly string[] BadImages = ["basophil/truncated.png", "eosinophil/text-named.jpg", "lymphocyte/bomb.bmp", "monocyte/empty.png"];
    private readonly TempFolder dir = new();
    private readonly string data;

    public MessyDatasetTests()
    {
        data = SyntheticCells.Write(Path.Combine(dir.Path, "data"), perClass: 8, classes: 4);
        foreach (string bad in BadImages)
            File.WriteAllBytes(Path.Combine(data, bad), BadImageCorpus.Get(Path.GetFileName(bad)).Bytes);
        File.WriteAllText(Path.Combine(data, "eosinophil", "notes.txt"), "stain batch 7");
        File.WriteAllBytes(Path.Combine(data, "eosinophil", ".thumb.png"), TestImages.Png(TestImages.Pattern(4, 4)));
        File.WriteAllBytes(Path.Combine(data, "basophil", "BA_copy.png"), File.ReadAllBytes(Path.Combine(data, "monocyte", "MO_000.png")));
        Directory.CreateDirectory(Path.Combine(data, "neutrophil"));
        Directory.CreateDirectory(Path.Combine(data, "misc"));
        File.WriteAllBytes(Path.Combine(data, "misc", "x.png"), TestImages.Png(TestImages.Pattern(4, 4)));
        File.WriteAllText(Path.Combine(data, "README.txt"), "exported 2024-05-02");
        string outside = Path.Combine(dir.Path, "elsewhere.png");
        File.WriteAllBytes(outside, TestImages.Png(TestImages.Pattern(16, 16)));
        File.CreateSymbolicLink(Path.Combine(data, "lymphocyte", "LY_link.png"), outside);
        File.CreateSymbolicLink(Path.Combine(data, "lymphocyte", "LY_gone.png"), Path.Combine(dir.Path, "deleted.png"));
    }

    public void Dispose() => dir.Dispose();

    /// <summary>Readable labelled images: 8 per class in four classes, the copy, the followed link.</summary>
    private const int Readable = 4 * 8 + 2;

    private string CoarseModel()
    {
        var config = new NcaConfig(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 16, ClassifierHidden: 12, NumClasses: 6);
        var classifier = NcaClassifier.Create(config, 1);
        WbcNca.Tests.Model.RandomWeights.Fill(classifier, 5, 0.3);
        string path = Path.Combine(dir.Path, "coarse.safetensors");
        ModelFile.Save(new ModelBundle(classifier, CellClasses.Coarse, Normalization.PerImage, new Dictionary<string, string>()), path);
        return path;
    }

    private static void AssertSummaryOfWhatWasSkipped(string stderr)
    {
        Assert.Contains("data (folder, coarse level): 38 images in 4 classes, 6 skipped", stderr);
        foreach (string line in new[]
                 {
                     "skipped Hidden eosinophil: 1 (e.g. eosinophil/.thumb.png: hidden entry)",
                     "skipped NotAnImage eosinophil: 1 (e.g. eosinophil/notes.txt: not an image file",
                     "skipped UnknownClass misc: 1",
                     "skipped EmptyClassFolder neutrophil: 1 (e.g. neutrophil/: class folder holds no image)",
                     "skipped Misplaced: 1 (e.g. README.txt: file outside the class folders)",
                     "skipped BadLink lymphocyte: 1 (e.g. lymphocyte/LY_gone.png: broken symbolic link)",
                 })
            Assert.Contains(line, stderr);
    }

    [Fact]
    public void Evaluate_skipping_bad_images_reports_what_was_left_out_and_scores_the_rest()
    {
        var r = CliProcess.Run("evaluate", "--model", CoarseModel(), "--dataset", "folder", "--data", data, "--on-bad-image", "skip", "--json", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var report = JsonDocument.Parse(r.Stdout);
        Assert.Equal(Readable, report.RootElement.GetProperty("n").GetInt32());
        AssertSummaryOfWhatWasSkipped(r.Stderr);
        foreach (string bad in BadImages)
            Assert.Contains(r.StderrLines, l => l.StartsWith($"warning: skipped {Path.Combine(data, bad)}: ", StringComparison.Ordinal));
        Assert.Contains($"{Readable} image(s) evaluated, {BadImages.Length} unreadable image(s) skipped", r.StderrLines);
        Assert.Contains("note: no image of neutrophil, other among the evaluated images: their recall is not measured (balanced accuracy averages the 4 classes present)", r.StderrLines);
    }

    [Fact]
    public void Evaluate_without_skipping_stops_with_one_line_naming_the_first_bad_image_and_counting_the_others()
    {
        var r = CliProcess.Run("evaluate", "--model", CoarseModel(), "--dataset", "folder", "--data", data, "--json", "--threads", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Empty(r.Stdout);
        string error = Assert.Single(r.StderrLines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Equal($"error: {Path.Combine(data, BadImages[0])}: truncated or corrupt PNG; 3 more unreadable image(s) (--on-bad-image skip leaves unreadable images out)", error);
    }

    [Fact]
    public void Train_skipping_bad_images_says_what_it_used_and_records_the_unreadable_ones()
    {
        string output = Path.Combine(dir.Path, "run");
        var r = CliProcess.Run("train", "--dataset", "folder", "--data", data, "--out", output, "--on-bad-image", "skip",
            "--channels", "8", "--hidden", "16", "--steps", "4", "--image-size", "16", "--epochs", "1", "--epoch-size", "16", "--batch-size", "8",
            "--normalization", "image", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        AssertSummaryOfWhatWasSkipped(r.Stderr);
        foreach (string bad in BadImages) Assert.Contains($"skipped {Path.Combine(data, bad)}: ", r.Stderr);
        Assert.Contains($"decoded {Readable} images at 16×16", r.Stderr);
        Assert.Contains($", {BadImages.Length} unreadable image(s) skipped", r.Stderr);
        Assert.Contains($"using {Readable} images (coarse level, 4 classes present)", r.Stderr);
        Assert.Contains("2 byte-identical files in 1 group(s), each group kept in one fold", r.Stderr);
        Assert.Contains("identical files with different labels (basophil, monocyte): basophil/BA_copy.png, monocyte/MO_000.png", r.Stderr);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "config.json")));
        Assert.Equal(BadImages.Select(b => Path.Combine(data, b)), config.RootElement.GetProperty("unreadable_images").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Readable, config.RootElement.GetProperty("images").GetInt32());
    }

    [Fact]
    public void Training_on_too_few_images_refuses_an_empty_test_fold_and_warns_of_an_empty_validation_part()
    {
        string tiny = SyntheticCells.Write(Path.Combine(dir.Path, "two"), perClass: 1, classes: 2);
        string[] Args(string fold) => ["train", "--dataset", "folder", "--data", tiny, "--out", Path.Combine(dir.Path, "run-" + fold), "--fold", fold,
            "--channels", "8", "--hidden", "16", "--steps", "4", "--image-size", "16", "--epochs", "1", "--threads", "1"];
        var refused = CliProcess.Run(Args("4"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"error: {tiny}: 2 usable image(s) leave the test part of fold 4 of 5 empty; add images or use fewer --folds", refused.StderrLines[^1]);
        var warned = CliProcess.Run(Args("0"));
        Assert.True(warned.ExitCode == 0, warned.Stderr);
        Assert.Contains("warning: the validation part is empty, so every epoch scores 0 and best.safetensors stays the first epoch's; raise --validation-fraction or use last.safetensors", warned.StderrLines);
        Assert.Contains(warned.StderrLines, l => l.StartsWith("warning: class", StringComparison.Ordinal) && l.EndsWith("has no image in the training part: the model cannot learn it", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluating_a_model_made_for_other_classes_is_a_clear_error_naming_the_model()
    {
        var config = new NcaConfig(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 16, ClassifierHidden: 12, NumClasses: 3);
        string model = Path.Combine(dir.Path, "other.safetensors");
        ModelFile.Save(new ModelBundle(NcaClassifier.Create(config, 1), ["red", "green", "blue"], Normalization.PerImage, new Dictionary<string, string>()), model);
        var root = new System.CommandLine.RootCommand("test") { EvaluateCommand.Create() };
        var stderr = new StringWriter();
        int code = CliRunner.Run(root, ["evaluate", "--model", model, "--dataset", "folder", "--data", data, "--threads", "1"], stderr);
        Assert.Equal(1, code);
        Assert.Equal($"error: {model}: the model's 3 classes (red, green, blue) do not fit a data set labelled with the coarse classes "
            + "(basophil, eosinophil, lymphocyte, monocyte, neutrophil, other); evaluate needs a model of the 13 fine classes, or a coarse model for a coarse set",
            stderr.ToString().Trim());
    }

    [Fact]
    public void Experiment_skipping_bad_images_evaluates_exactly_the_held_out_images_its_training_recorded()
    {
        string output = Path.Combine(dir.Path, "exp");
        var r = CliProcess.Run("experiment", "--dataset", "folder", "--data", data, "--out", output, "--on-bad-image", "skip", "--seeds", "1",
            "--channels", "8", "--hidden", "16", "--steps", "4", "--image-size", "16", "--epochs", "1", "--epoch-size", "16", "--batch-size", "8",
            "--normalization", "image", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        foreach (string bad in BadImages) Assert.Contains($"skipped {Path.Combine(data, bad)}: ", r.Stderr);
        // The one entry's folder: the training set (the folder's name), the architecture, the fold and the seed.
        string entry = Path.Combine(output, "data-nca", "fold-0-seed-1");
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(entry, "config.json")));
        int testImages = config.RootElement.GetProperty("test_items").GetArrayLength();
        using var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "experiment.json")));
        var heldOut = table.RootElement.GetProperty("rows").EnumerateArray().Single(p => p.GetProperty("evaluated_on").GetString()!.Contains("held-out fold", StringComparison.Ordinal));
        Assert.Equal(testImages, heldOut.GetProperty("images").GetInt32());
        using var test = JsonDocument.Parse(File.ReadAllText(Path.Combine(entry, "test.json")));
        Assert.Equal(testImages, test.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(test.RootElement.GetProperty("accuracy").GetDouble(), heldOut.GetProperty("accuracy").GetProperty("mean").GetDouble(), 9);
    }
}
