using System.Text.Json;
using WbcNca.Imaging;
using WbcNca.Tests.Imaging;
using WbcNca.Tests.Training;

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
}
