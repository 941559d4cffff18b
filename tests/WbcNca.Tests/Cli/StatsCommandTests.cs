using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Imaging;
using WbcNca.Tests.Export;
using WbcNca.Tests.Imaging;
using WbcNca.Tests.Training;
using WbcNca.Tests.Web;

namespace WbcNca.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class StatsCommandTests : IDisposable
{
    private readonly TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Stats_writes_a_labs_colour_statistics_and_its_anchor_colours_from_unlabelled_images()
    {
        string lab = Directory.CreateDirectory(Path.Combine(dir.Path, "lab")).FullName;
        for (int i = 0; i < 3; i++)
        {
            Rgb8Image smear = new SyntheticSmear(160, 160, seed: i, background: (230, 230, 200)).RedCells(22, (80, 80, 26)).WhiteCell(80, 80, 14, 24).Build(noise: 2);
            File.WriteAllBytes(Path.Combine(lab, $"cell{i}.png"), PngEncoder.Encode(smear));
        }
        string output = Path.Combine(dir.Path, "lab.json");
        string model = Path.Combine(SharedData.RepoRoot, "models", "wbc-nca-acevedo20.safetensors");
        var r = CliProcess.Run("stats", lab, "--out", output, "--model", model, "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("anchor colours: background", r.Stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal(3, json.RootElement.GetProperty("images").GetInt32());
        JsonElement anchors = json.RootElement.GetProperty("anchors");
        Assert.Equal(3, anchors.GetProperty("cell_images").GetInt32());
        Assert.Equal(3, anchors.GetProperty("red_cell_images").GetInt32());
        Assert.InRange(anchors.GetProperty("background")[2].GetDouble() * 255, 196, 204);
        Assert.InRange(anchors.GetProperty("nucleus")[0].GetDouble() * 255, 90, 100);      // the nucleus is (95, 55, 150)
        Assert.InRange(anchors.GetProperty("red_cell")[1].GetDouble() * 255, 148, 187);   // rim 150, pale centre 185
        // The normalisation it writes is read back by --normalization.
        Assert.Equal("lab", Normalization.Load(output).Name);
    }

    private string Smears(string folder, bool redCells, int count = 2)
    {
        string path = Directory.CreateDirectory(Path.Combine(dir.Path, folder)).FullName;
        for (int i = 0; i < count; i++)
        {
            var smear = new SyntheticSmear(160, 160, seed: i, background: (230, 230, 200));
            if (redCells) smear = smear.RedCells(22, (80, 80, 26));
            File.WriteAllBytes(Path.Combine(path, $"cell{i}.png"), PngEncoder.Encode(smear.WhiteCell(80, 80, 14, 24).Build(noise: 2)));
        }
        return path;
    }

    [Fact]
    public void Adapt_stores_the_lab_s_red_cell_colour_in_a_stain_anchored_model_from_a_lab_file_or_from_the_labelled_cells()
    {
        string model = Path.Combine(dir.Path, "stains.safetensors");
        ModelFile.Save(OnnxExportTests.RandomBundle(WebTestHost.Small, 3) with { Preprocessing = new Preprocessing(Framing.Nucleus, Color: ColorMode.Stains) }, model);
        string lab = Path.Combine(dir.Path, "lab.json");
        Assert.Equal(0, CliProcess.Run("stats", Smears("unlabelled", redCells: true), "--out", lab, "--model", model, "--threads", "1").ExitCode);
        float[] labRed = LabAnchors.Load(lab).RedCell!.ToArray();

        // Cells without red cells in view, adapted with the lab file: the model keeps the lab's red-cell colour.
        string bare = Path.Combine(dir.Path, "bare");
        Smears(Path.Combine("bare", "neutrophil"), redCells: false);
        Smears(Path.Combine("bare", "lymphocyte"), redCells: false);
        string adapted = Path.Combine(dir.Path, "adapted.safetensors");
        var r = CliProcess.Run("adapt", "--model", model, "--data", bare, "--out", adapted, "--steps", "2", "--threads", "1", "--lab-anchors", lab);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var bundle = ModelFile.Load(adapted);
        Assert.Equal(labRed, bundle.Preprocessing.LabRedCell!);
        Assert.Equal("head, lab red-cell colour", bundle.Provenance["adapted_parts"]);
        // The adapted model answers with the mean of its 8 views; --one-run keeps one run. With the lab's unlabelled
        // images, its answers move to the lab's mix (here the unlabelled smears), recorded in the provenance.
        Assert.Equal(new WbcNca.Inference.TestTimeAveraging(8, Views: true), bundle.Averaging);
        Assert.Equal("8 views (mask draws, each on another rotation or mirror image)", bundle.Provenance["adapted_answers"]);
        Assert.False(bundle.Provenance.ContainsKey("adapted_lab_mix"));
        r = CliProcess.Run("adapt", "--model", model, "--data", bare, "--out", adapted, "--steps", "2", "--threads", "1", "--lab-anchors", lab,
            "--unlabelled", Path.Combine(dir.Path, "unlabelled"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        bundle = ModelFile.Load(adapted);
        Assert.Contains("lymphocyte", bundle.Provenance["adapted_lab_mix"]);
        Assert.Equal("2", bundle.Provenance["adapted_unlabelled_cells"]);
        Assert.Contains("the lab's mix, from 2 unlabelled cell(s): ", r.Stderr);
        string again = Path.Combine(dir.Path, "adapted-again.safetensors");   // adapting the adapted model again
        r = CliProcess.Run("adapt", "--model", adapted, "--data", bare, "--out", again, "--steps", "2", "--threads", "1", "--lab-anchors", lab, "--one-run");
        Assert.True(r.ExitCode == 0, r.Stderr);
        bundle = ModelFile.Load(again);
        Assert.Equal(WbcNca.Inference.TestTimeAveraging.Single, bundle.Averaging);
        Assert.Equal("one run", bundle.Provenance["adapted_answers"]);
        Assert.False(bundle.Provenance.ContainsKey("adapted_lab_mix"));   // an earlier adaptation's mix is not kept

        // Without a lab file, the labelled cells' own red cells are measured.
        string withRed = Path.Combine(dir.Path, "with-red");
        Smears(Path.Combine("with-red", "neutrophil"), redCells: true);
        Smears(Path.Combine("with-red", "monocyte"), redCells: true);
        r = CliProcess.Run("adapt", "--model", model, "--data", withRed, "--out", adapted, "--steps", "2", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.InRange(ModelFile.Load(adapted).Preprocessing.LabRedCell![1] * 255, 148, 187);

        // Bare cells and no lab file: nothing to learn, the model stays as it was; a model without stain anchors refuses the file.
        r = CliProcess.Run("adapt", "--model", model, "--data", bare, "--out", adapted, "--steps", "2", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Null(ModelFile.Load(adapted).Preprocessing.LabRedCell);
        string plain = Path.Combine(dir.Path, "plain.safetensors");
        ModelFile.Save(OnnxExportTests.RandomBundle(WebTestHost.Small, 3), plain);
        r = CliProcess.Run("evaluate", "--model", plain, "--dataset", "folder", "--data", bare, "--lab-anchors", lab);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal([$"error: --lab-anchors {lab}: the model's colours are rgb; a lab's anchor colours serve only models trained with --colour stains"], r.StderrLines);
    }
}
