using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Tests.Cli;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Inference;

/// <summary>
/// Whole microscope fields: an image with several white cells gives one answer per cell with its box. The fields are
/// built from real Acevedo-20 cells (<see cref="SyntheticField"/>; skipped without ../shared).
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class WholeFieldTests : IDisposable
{
    private readonly TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    private static (Rgb8Image Field, (int X, int Y)[] Centres) Field() => SyntheticField.Make();

    private static bool Inside((int X, int Y) p, CellCandidate box, double margin) => SyntheticField.Inside(p, box, margin);

    [SkippableFact]
    public void A_field_of_three_real_cells_gives_three_cells_each_boxed_on_its_own_nucleus()
    {
        var (field, centres) = Field();
        IReadOnlyList<CellLocation> cells = CellLocator.LocateAll(field);
        Assert.Equal(3, cells.Count);
        foreach (var centre in centres)
            Assert.Single(cells, c => Inside(centre, c.Cell!, margin: 8));
        // One cell per image keeps today's single answer: the first of the list.
        CellLocation one = CellLocator.Locate(field);
        Assert.Equal((cells[0].CenterX, cells[0].CenterY, cells[0].Side), (one.CenterX, one.CenterY, one.Side));
    }

    [SkippableFact]
    public void Single_cell_crops_of_the_shared_sets_almost_never_split_into_several_cells()
    {
        foreach (var (set, most) in new[] { ("acevedo20", 0.03), ("jtsc", 0.02), ("bccd", 0.02) })
        {
            string root = SharedData.Require(Path.Combine("data", set));
            var items = DatasetReader.Open(set == "acevedo20" ? "acevedo20" : "folder", root).Items;
            if (set == "acevedo20") items = items.Where((_, i) => i % 40 == 0).ToArray();   // a spread-out sample of about 430
            int split = items.Count(item => CellLocator.LocateAll(ImageDecoder.Decode8(item.Path)).Count > 1);
            Assert.True(split <= most * items.Count, $"{set}: {split} of {items.Count} single-cell images were split into several cells");
        }
    }

    [SkippableFact]
    public void Predict_gives_each_cell_of_a_field_its_row_box_and_count_and_one_cell_keeps_one_answer()
    {
        var (field, centres) = Field();
        string path = dir.Write("field.png", TestImages.Png(field));
        string model = Path.Combine(SharedData.RepoRoot, WbcNca.Cli.CommonOptions.DefaultModelRelative);

        var json = CliProcess.Run("predict", "--model", model, "--json", "--sample", "slide", "--counts", Path.Combine(dir.Path, "counts.json"), path);
        Assert.True(json.ExitCode == 0, json.Stderr);
        Assert.Single(json.StdoutLines);
        using (var doc = JsonDocument.Parse(json.StdoutLines[0]))
        {
            JsonElement[] cells = doc.RootElement.GetProperty("cells").EnumerateArray().ToArray();
            Assert.Equal(3, cells.Length);
            Assert.Equal([0, 1, 2], cells.Select(c => c.GetProperty("cell").GetInt32()));
            // The top-level answer is the first cell's.
            Assert.Equal(cells[0].GetProperty("class").GetString(), doc.RootElement.GetProperty("class").GetString());
            foreach (var centre in centres)
                Assert.Single(cells, c =>
                {
                    JsonElement b = c.GetProperty("box");
                    var box = new CellCandidate(b.GetProperty("x").GetInt32(), b.GetProperty("y").GetInt32(), b.GetProperty("width").GetInt32(), b.GetProperty("height").GetInt32(), 0, 0);
                    return Inside(centre, box, margin: 8);
                });
        }
        // The sample's differential count counts cells, not images.
        using (var counts = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "counts.json"))))
        {
            JsonElement sample = counts.RootElement.EnumerateArray().Single();
            Assert.Equal(3, sample.GetProperty("cells").GetInt32());
        }

        var table = CliProcess.Run("predict", "--model", model, path);
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Equal(3, table.StdoutLines.Count(l => l.StartsWith(path + " #", StringComparison.Ordinal)));

        var one = CliProcess.Run("predict", "--model", model, "--json", "--one-cell", path);
        Assert.True(one.ExitCode == 0, one.Stderr);
        using var single = JsonDocument.Parse(one.StdoutLines.Single());
        Assert.Equal(1, single.RootElement.GetProperty("cells").GetArrayLength());
    }
}
