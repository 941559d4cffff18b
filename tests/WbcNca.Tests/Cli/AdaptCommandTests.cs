using WbcNca.Checkpoints;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Cli;

public sealed class AdaptCommandTests : IDisposable
{
    private readonly ServerTestFolder folder = new("wbc-nca-adapt-cli-");

    public void Dispose() => folder.Dispose();

    // Six small patterned images in a folder of their own (a lab's unlabelled cells).
    private string Images()
    {
        string images = Path.Combine(folder.Path, "lab");
        Directory.CreateDirectory(images);
        for (int i = 0; i < 6; i++) File.WriteAllBytes(Path.Combine(images, $"cell{i}.png"), TestImages.Png(TestImages.Pattern(20 + i, 24)));
        return images;
    }

    [Fact]
    public void Adapt_with_unlabelled_images_only_fits_the_colours_and_records_it()
    {
        string model = folder.SaveModel(), adapted = Path.Combine(folder.Path, "m2.safetensors");
        var r = CliProcess.Run("adapt", "--model", model, "--unlabelled", Images(), "--out", adapted, "--colour-steps", "7", "--colour-diversity", "2", "--colour-mix", "blood", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.StartsWith("fitted the input's colours to 6 unlabelled cell(s) (no label used)", r.StdoutLines[0]);
        Assert.Contains(r.StderrLines, l => l.StartsWith("the lab's colours, from 6 unlabelled cell(s): gain ", StringComparison.Ordinal));
        Assert.Contains(r.StderrLines, l => l.StartsWith("the model's mean answer on 6 of them, colours as trained: ", StringComparison.Ordinal) && l.EndsWith(" %", StringComparison.Ordinal));
        Assert.Contains(r.StderrLines, l => l.StartsWith("with the lab's colours: ", StringComparison.Ordinal));
        ModelBundle before = ModelFile.Load(model), after = ModelFile.Load(adapted);
        // The fit folded into the normalisation (that the colours move is LabColourFitTests', on real cells: this random
        // model's answers are one-hot, so its colours have nothing to learn from).
        Assert.Equal(before.Normalization.Name + WbcNca.Training.HeadAdaptation.LabColours, after.Normalization.Name);
        Assert.Contains("fitted without labels on 6 unlabelled cell(s), 7 steps of 32, lr 0.03, diversity 2 towards mix blood,", after.Provenance["adapted_lab_colours"]);
        Assert.Equal(Path.Combine(folder.Path, "lab"), after.Provenance["adapted_lab_colours_on"]);
        Assert.DoesNotContain("adapted_on", after.Provenance.Keys);   // no labelled cells were used
        // The weights and the calibration stay as they were.
        Assert.Equal(before.Calibration, after.Calibration);
        foreach (var (p, q) in before.Classifier.parameters().Zip(after.Classifier.parameters()))
            Assert.True(p.equal(q).all().item<bool>());
    }

    [Fact]
    public void Fitting_the_colours_before_the_head_needs_the_labs_unlabelled_images()
    {
        string model = folder.SaveModel(), adapted = Path.Combine(folder.Path, "m2.safetensors"), labelled = Path.Combine(folder.Path, "labelled");
        foreach (string type in new[] { "eosinophil", "neutrophil" })
        {
            Directory.CreateDirectory(Path.Combine(labelled, type));
            for (int i = 0; i < 3; i++) File.WriteAllBytes(Path.Combine(labelled, type, $"{type}{i}.png"), TestImages.Png(TestImages.Pattern(20 + i, 22)));
        }
        var r = CliProcess.Run("adapt", "--model", model, "--data", labelled, "--out", adapted, "--fit-colours", "--steps", "2", "--threads", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["error: --fit-colours: needs the lab's images (--unlabelled)"], r.StderrLines);
        Assert.False(File.Exists(adapted));

        // With them it is on by default, and --fit-colours false leaves the colours as trained.
        r = CliProcess.Run("adapt", "--model", model, "--data", labelled, "--unlabelled", Images(), "--out", adapted, "--steps", "2", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var provenance = ModelFile.Load(adapted).Provenance;
        Assert.Contains("towards mix blood,", provenance["adapted_lab_colours"]);
        Assert.Equal((labelled, Path.Combine(folder.Path, "lab")), (provenance["adapted_on"], provenance["adapted_lab_colours_on"]));
        // Colours fitted again without labels keep the record of the labelled head in the weights.
        string again = Path.Combine(folder.Path, "m3.safetensors");
        r = CliProcess.Run("adapt", "--model", adapted, "--unlabelled", Images(), "--out", again, "--colour-steps", "2", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var next = ModelFile.Load(again).Provenance;
        Assert.Equal((labelled, provenance["adapted_cells"]), (next["adapted_on"], next["adapted_cells"]));
        Assert.Equal(Path.Combine(folder.Path, "lab"), next["adapted_lab_colours_on"]);
        r = CliProcess.Run("adapt", "--model", model, "--data", labelled, "--unlabelled", Images(), "--out", adapted, "--fit-colours", "false", "--steps", "2", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.DoesNotContain("adapted_lab_colours", ModelFile.Load(adapted).Provenance.Keys);
        Assert.Equal(ModelFile.Load(model).Normalization.ToString(), ModelFile.Load(adapted).Normalization.ToString());
    }

    [Theory]
    [InlineData("error: adapt needs --data (labelled cells of the lab) or --unlabelled (its images, to fit the input's colours without labels)")]
    [InlineData("error: --per-class, --cross-validate, --report and --tune need labelled cells (--data)", "--unlabelled", "LAB", "--per-class", "5")]
    [InlineData("error: --per-class, --cross-validate, --report and --tune need labelled cells (--data)", "--unlabelled", "LAB", "--tune", "all")]
    [InlineData("error: --colour-steps must be ≥ 1 (got 0)", "--unlabelled", "LAB", "--colour-steps", "0")]
    [InlineData("error: --colour-diversity must be ≥ 0 (got -1)", "--unlabelled", "LAB", "--colour-diversity", "-1")]
    [InlineData("error: --colour-mix: every main type needs a share > 0; missing: basophil, eosinophil, lymphocyte, monocyte", "--unlabelled", "LAB", "--colour-mix", "neutrophil=60")]
    public void Adapt_without_labelled_cells_says_what_it_needs_in_one_line_and_writes_nothing(string expected, params string[] extra)
    {
        string model = folder.SaveModel(), adapted = Path.Combine(folder.Path, "m2.safetensors");
        string[] args = ["adapt", "--model", model, "--out", adapted, "--threads", "1", .. extra.Select(a => a == "LAB" ? Images() : a)];
        var r = CliProcess.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal([expected], r.StderrLines);
        Assert.False(File.Exists(adapted));
    }
}
