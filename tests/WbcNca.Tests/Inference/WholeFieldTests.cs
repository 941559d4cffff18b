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
/// built from real Acevedo-20 cells (skipped without ../shared): each cell cut out around its nucleus and placed on a
/// 640×480 field of the first cell's background colour.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class WholeFieldTests : IDisposable
{
    // One cell of three types, placed apart on the field (centres in field pixels).
    private static readonly (string Type, int X, int Y)[] Placement = [("lymphocyte", 120, 150), ("eosinophil", 330, 330), ("neutrophil", 520, 140)];
    private readonly TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>The field and where each cell's nucleus centre went.</summary>
    private static (Rgb8Image Field, (int X, int Y)[] Centres) Field()
    {
        string root = SharedData.Require(Path.Combine("data", "acevedo20"));
        var items = DatasetReader.Open("acevedo20", root).Items;
        const int width = 640, height = 480;
        var pixels = new byte[3 * width * height];
        var centres = new List<(int, int)>();
        byte[]? fill = null;
        foreach (var (type, cx, cy) in Placement)
        {
            // The first image of the type (in the reader's order) whose locator sees one white cell.
            Rgb8Image cell = null!;
            CellLocation at = null!;
            foreach (var item in items.Where(i => i.RelativePath.StartsWith(type + "/", StringComparison.Ordinal)))
            {
                cell = ImageDecoder.Decode8(item.Path);
                at = CellLocator.Locate(cell);
                if (at.CellFound && CellLocator.LocateAll(cell).Count == 1) break;
            }
            fill ??= at.Background.Select(v => (byte)Math.Round(v * 255)).ToArray();
            if (centres.Count == 0)
                for (int i = 0; i < width * height; i++) { pixels[3 * i] = fill[0]; pixels[3 * i + 1] = fill[1]; pixels[3 * i + 2] = fill[2]; }
            // The cell with a margin of background: a square of 2.2 nucleus extents around its nucleus.
            CellLocation square = at with { Side = 2.2 * at.Cell!.Extent };
            Rgb8Image cut = CellLocator.Crop(cell, square);
            int left = cx - cut.Width / 2, top = cy - cut.Height / 2;
            for (int y = 0; y < cut.Height; y++)
                Array.Copy(cut.Pixels, 3 * y * cut.Width, pixels, 3 * ((top + y) * width + left), 3 * cut.Width);
            // Where the nucleus centre lands: its offset from the cut's centre is kept.
            centres.Add(((int)Math.Round(left + at.Cell.CenterX - square.Left), (int)Math.Round(top + at.Cell.CenterY - square.Top)));
        }
        return (new Rgb8Image(width, height, pixels), centres.ToArray());
    }

    private static bool Inside((int X, int Y) p, CellCandidate box, double margin) =>
        p.X >= box.X - margin && p.X <= box.X + box.Width + margin && p.Y >= box.Y - margin && p.Y <= box.Y + box.Height + margin;

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
