using WbcNca.Explainability;
using WbcNca.Imaging;

namespace WbcNca.Tests.Explainability;

public class CellMaskTests
{
    [Fact]
    public void Otsu_puts_the_threshold_between_the_two_modes_of_a_bimodal_signal()
    {
        var rng = new Random(1);
        float[] v = Enumerable.Range(0, 1000).Select(i => (float)((i < 700 ? 0.1 : 0.8) + 0.05 * (rng.NextDouble() - 0.5))).ToArray();
        double t = CellMask.OtsuThreshold(v);
        Assert.InRange(t, 0.2, 0.7);
    }

    [Fact]
    public void A_flat_image_has_no_cell()
    {
        var flat = new Rgb8Image(16, 16, Enumerable.Repeat((byte)200, 3 * 16 * 16).ToArray());
        CellMask mask = CellMask.FromImage(flat, 16);
        Assert.Equal(0, mask.InsideCount);
    }

    [Fact]
    public void The_mask_covers_a_violet_cell_and_leaves_out_the_pink_background_and_red_cells()
    {
        Rgb8Image image = TestCells.Disc(64, 30, 34, 12);
        CellMask mask = CellMask.FromImage(image, 64);
        int agree = 0;
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                if (mask[x, y] == TestCells.InDisc(x, y, 30, 34, 12)) agree++;
        Assert.True(agree >= 64 * 64 - 20, $"mask and disc disagree on {64 * 64 - agree} pixels");
        Assert.InRange(mask.AreaFraction, 0.10, 0.12);   // π·12² / 64² ≈ 0.110
    }

    [Fact]
    public void The_mask_is_computed_at_the_requested_size_from_a_larger_image()
    {
        CellMask mask = CellMask.FromImage(TestCells.Disc(128, 64, 64, 30), 32);
        Assert.Equal(32, mask.Size);
        Assert.True(mask[16, 16]);
        Assert.False(mask[1, 1]);
    }

    [Fact]
    public void Background_enclosed_by_the_cell_counts_as_inside_but_background_reaching_the_border_does_not()
    {
        // A ring (nucleus lobes around pale cytoplasm) and a C open to the border.
        const int n = 12;
        var flags = new bool[n * n];
        for (int y = 2; y <= 6; y++) for (int x = 2; x <= 6; x++) flags[y * n + x] = y is 2 or 6 || x is 2 or 6;
        for (int y = 8; y < n; y++) flags[y * n + 9] = true;
        CellMask.FillHoles(flags, n);
        Assert.True(flags[4 * n + 4]);     // the ring's inside
        Assert.False(flags[10 * n + 10]);  // open to the border
        Assert.False(flags[0]);
        Assert.Equal(25 + 4, flags.Count(f => f));
    }

    [SkippableFact]
    public void On_real_acevedo_cells_the_mask_holds_the_centred_white_cell_and_a_small_part_of_the_image()
    {
        string folder = SharedData.Require("fixtures/acevedo64");
        var files = Directory.GetFiles(folder).Where(f => !Path.GetFileName(f).StartsWith("PLATELET", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 15);
        foreach (string f in files)
        {
            CellMask mask = CellMask.FromImage(ImageDecoder.Decode8(f), 64);
            Assert.InRange(mask.AreaFraction, 0.02, 0.3);
            int centre = 0;
            for (int y = 28; y < 36; y++) for (int x = 28; x < 36; x++) if (mask[x, y]) centre++;
            Assert.True(centre >= 32, $"{Path.GetFileName(f)}: only {centre}/64 centre pixels inside the mask");
        }
    }
}
