using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Model;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Cli;

/// <summary><c>wbc-nca predict</c> (a real process) on a folder holding the whole <see cref="BadImageCorpus"/>.</summary>
[Collection(TorchCollection.Name)]
public sealed class BadImageFolderTests : IDisposable
{
    private readonly TempFolder dir = new();
    private readonly string model;
    private readonly string corpus;

    public BadImageFolderTests()
    {
        var config = new NcaConfig(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 16, ClassifierHidden: 12, NumClasses: 13);
        var classifier = NcaClassifier.Create(config, 1);
        WbcNca.Tests.Model.RandomWeights.Fill(classifier, 3, 0.3);
        model = Path.Combine(dir.Path, "m.safetensors");
        ModelFile.Save(new ModelBundle(classifier, CellClasses.Fine, Normalization.PerImage, new Dictionary<string, string>()), model);
        corpus = Path.Combine(dir.Path, "corpus");
        BadImageCorpus.WriteAll(corpus);
    }

    public void Dispose() => dir.Dispose();

    private static string[] Sorted(IEnumerable<string> names) => names.Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Predict_with_skip_classifies_every_loadable_file_and_lists_every_rejected_one()
    {
        var r = CliProcess.Run("predict", "--model", model, "--json", "--on-bad-image", "skip", "--threads", "1", corpus);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var loadable = BadImageCorpus.All.Where(c => c.MustLoad).Select(c => c.Name);
        var rejected = BadImageCorpus.All.Where(c => !c.MustLoad).ToList();
        Assert.Equal(Sorted(loadable), r.StdoutLines.Select(l => Path.GetFileName(JsonDocument.Parse(l).RootElement.GetProperty("path").GetString()!)));
        string[] skippedLines = r.StderrLines.Where(l => l.StartsWith("warning: skipped ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(rejected.Count, skippedLines.Length);
        foreach (var c in rejected)
            Assert.Contains(skippedLines, l => l.StartsWith($"warning: skipped {Path.Combine(corpus, c.Name)}: ", StringComparison.Ordinal) && l.Contains(c.Rejection!, StringComparison.Ordinal));
        Assert.Equal($"{loadable.Count()} image(s) classified, {rejected.Count} unreadable image(s) skipped", r.StderrLines[^1]);
    }

    [Fact]
    public void Predict_without_skip_prints_the_rows_before_the_first_bad_file_then_stops_with_one_line_naming_it()
    {
        var r = CliProcess.Run("predict", "--model", model, "--threads", "1", corpus);
        Assert.Equal(1, r.ExitCode);
        string firstBad = Sorted(BadImageCorpus.All.Select(c => c.Name)).First(n => !BadImageCorpus.Get(n).MustLoad);
        string error = Assert.Single(r.StderrLines);
        Assert.StartsWith($"error: {Path.Combine(corpus, firstBad)}: ", error);
        // The table streams: the files sorted before the bad one were already printed, and the error says so.
        var before = Sorted(BadImageCorpus.All.Select(c => c.Name)).TakeWhile(n => n != firstBad).ToArray();
        Assert.NotEmpty(before);
        Assert.EndsWith($"(stopped there: the {before.Length} image(s) above were classified; --on-bad-image skip goes on past unreadable images)", error);
        Assert.Equal(2 + before.Length, r.StdoutLines.Length);   // header, rule, one row per image
        Assert.StartsWith("image", r.StdoutLines[0]);
        for (int i = 0; i < before.Length; i++) Assert.StartsWith(Path.Combine(corpus, before[i]), r.StdoutLines[2 + i]);
    }

    [SkippableFact]
    public void A_full_disk_behind_standard_output_is_reported_not_hidden()
    {
        Skip.IfNot(File.Exists("/dev/full"), "needs /dev/full");
        var r = CliProcess.RunWithStdoutTo("/dev/full", "predict", "--model", model, "--json", "--threads", "1", Path.Combine(corpus, "rgba.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: standard output: cannot write: No space left on device", Assert.Single(r.StderrLines));
    }
}
