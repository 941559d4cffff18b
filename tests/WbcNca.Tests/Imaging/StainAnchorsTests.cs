using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

public sealed class StainAnchorsTests
{
    // A lab unlike Acevedo-20: grey background, blue-violet nucleus.
    private static readonly (int R, int G, int B) Background = (205, 207, 200), NucleusColour = (150, 130, 205);

    private static CellLocation LocateForeignSmear() =>
        CellLocator.Locate(new SyntheticSmear(160, 160, background: Background).RedCells(22, (80, 80, 26))
            .Disc(80, 80, 24, (190, 180, 200)).Disc(80, 80, 14, NucleusColour).Build(noise: 0));

    private static float[] Pixels(params IReadOnlyList<float>[] colours)
    {
        var chw = new float[3 * colours.Length];
        for (int i = 0; i < colours.Length; i++)
            for (int c = 0; c < 3; c++) chw[c * colours.Length + i] = colours[i][c];
        return chw;
    }

    [Fact]
    public void The_locator_measures_the_red_cells_colour_between_their_rim_and_their_pale_centre()
    {
        CellLocation loc = CellLocator.Locate(new SyntheticSmear(160, 160).RedCells(22, (80, 80, 26)).WhiteCell(80, 80, 14, 24).Build(noise: 0));
        Assert.NotNull(loc.RedCell);
        Assert.InRange(loc.RedCell![0] * 255, 221, 233);   // rim (222, 150, 158), centre (232, 185, 185)
        Assert.InRange(loc.RedCell[1] * 255, 149, 186);
        Assert.InRange(loc.RedCell[2] * 255, 157, 186);
    }

    [Fact]
    public void Without_red_cells_there_is_no_red_cell_colour_and_stain_anchors_fall_back_to_the_per_channel_map()
    {
        CellLocation loc = CellLocator.Locate(new SyntheticSmear(128, 128, background: Background).Disc(64, 64, 20, NucleusColour).Build(noise: 0));
        Assert.True(loc.CellFound);
        Assert.Null(loc.RedCell);
        Assert.Null(StainAnchors.Map(loc));
        float[] stains = Pixels([0.6f, 0.5f, 0.7f], [0.8f, 0.7f, 0.75f]), channels = (float[])stains.Clone();
        StainAnchors.Apply(stains, loc);
        ColorAnchors.Apply(channels, loc);
        Assert.Equal(channels, stains);
    }

    [Fact]
    public void Stain_anchors_send_the_background_the_nucleus_and_the_red_cells_to_the_reference_colours()
    {
        CellLocation loc = LocateForeignSmear();
        Assert.NotNull(loc.RedCell);
        float[] chw = Pixels(loc.Background, loc.Nucleus, loc.RedCell!);
        StainAnchors.Apply(chw, loc);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(Preprocessing.ReferenceBackground[c], chw[3 * c], 3);
            Assert.Equal(Preprocessing.ReferenceNucleus[c], chw[3 * c + 1], 3);
            Assert.Equal(Preprocessing.ReferenceRedCell[c], chw[3 * c + 2], 3);
        }
    }

    [Fact]
    public void A_colour_mixing_the_two_dyes_keeps_its_mix_on_the_reference_dyes()
    {
        CellLocation loc = LocateForeignSmear();
        // Optical densities add: 0.3 of the nucleus's and 0.6 of the red cells' make this lab's cytoplasm colour…
        var mixed = new float[3];
        var expected = new float[3];
        for (int c = 0; c < 3; c++)
        {
            double h = -Math.Log(loc.Nucleus[c] / loc.Background[c]), e = -Math.Log(loc.RedCell![c] / loc.Background[c]);
            mixed[c] = (float)(loc.Background[c] * Math.Exp(-(0.3 * h + 0.6 * e)));
            double hr = -Math.Log(Preprocessing.ReferenceNucleus[c] / Preprocessing.ReferenceBackground[c]);
            double er = -Math.Log(Preprocessing.ReferenceRedCell[c] / Preprocessing.ReferenceBackground[c]);
            expected[c] = (float)(Preprocessing.ReferenceBackground[c] * Math.Exp(-(0.3 * hr + 0.6 * er)));
        }
        // …and the same mix of Acevedo-20's dyes comes out; the per-channel map gives another colour.
        float[] stains = Pixels(mixed), channels = Pixels(mixed);
        StainAnchors.Apply(stains, loc);
        ColorAnchors.Apply(channels, loc);
        for (int c = 0; c < 3; c++) Assert.Equal(expected[c], stains[c], 2);
        Assert.True(Enumerable.Range(0, 3).Max(c => Math.Abs(channels[c] - expected[c])) > 0.02);
    }

    [Fact]
    public void A_lab_s_anchor_colours_are_the_medians_over_its_images()
    {
        CellLocation Location(float v, bool found, float[]? red) => new(found, [], found ? 0 : -1, 0, 0, 1, "nucleus", double.NaN, 0,
            [v, v, v], [v / 2, v / 2, v / 2], red);
        var anchors = LabAnchors.From([Location(0.9f, true, [0.8f, 0.6f, 0.6f]), Location(0.7f, true, null), Location(0.8f, true, [0.6f, 0.4f, 0.4f]), Location(0.1f, false, null)]);
        Assert.Equal(4, anchors.Images);
        Assert.Equal(3, anchors.CellImages);
        Assert.Equal(2, anchors.RedCellImages);
        Assert.Equal(0.75f, anchors.Background[0], 5);        // median of 0.9, 0.7, 0.8, 0.1
        Assert.Equal(0.4f, anchors.Nucleus[1], 5);            // cells only: 0.45, 0.35, 0.4
        Assert.Equal(0.7f, anchors.RedCell![0], 5);           // 0.8 and 0.6
        Assert.Null(LabAnchors.From([Location(0.9f, true, null)]).RedCell);
    }

    [Fact]
    public void An_image_without_red_cells_takes_its_lab_s_red_cell_colour_when_one_is_known()
    {
        CellLocation withRed = LocateForeignSmear();
        // The same lab's cell without red cells in view: its background and nucleus, no red-cell colour.
        CellLocation without = withRed with { RedCell = null };
        Assert.Null(StainAnchors.Map(without));
        double[,] lab = StainAnchors.Map(without, withRed.RedCell) ?? throw new Xunit.Sdk.XunitException("no map with the lab's red cells");
        double[,] own = StainAnchors.Map(withRed)!;
        for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) Assert.Equal(own[r, c], lab[r, c], 9);
        // An image's own usable red cells win over the lab's.
        double[,] stillOwn = StainAnchors.Map(withRed, [0.9f, 0.5f, 0.9f])!;
        Assert.Equal(own[0, 0], stillOwn[0, 0], 9);
        // Through the preprocessing record: the lab's red cells land on the reference colour.
        float[] chw = Pixels(withRed.RedCell!);
        StainAnchors.Apply(chw, without, withRed.RedCell);
        for (int c = 0; c < 3; c++) Assert.Equal(Preprocessing.ReferenceRedCell[c], chw[c], 3);
    }

    [Fact]
    public void A_lab_file_from_stats_gives_back_its_anchor_colours_and_a_bad_one_names_the_file()
    {
        string dir = Directory.CreateTempSubdirectory("wbc-lab-").FullName;
        try
        {
            string good = Path.Combine(dir, "lab.json");
            File.WriteAllText(good, """
                {"name": "lab", "mean": [0.8, 0.7, 0.7], "std": [0.1, 0.1, 0.1],
                 "anchors": {"background": [1, 1, 0.7], "nucleus": [0.47, 0.18, 0.41], "red_cell": [0.88, 0.70, 0.50], "images": 300, "cell_images": 300, "red_cell_images": 92}}
                """);
            LabAnchors lab = LabAnchors.Load(good);
            Assert.Equal([0.88f, 0.70f, 0.50f], lab.RedCell!);
            Assert.Equal(92, lab.RedCellImages);
            Preprocessing stains = new(Framing.Nucleus, Color: ColorMode.Stains);
            Preprocessing forLab = stains.WithLab(lab);
            Assert.Equal([0.88f, 0.70f, 0.50f], forLab.LabRedCell!);
            Assert.Contains("the lab's red cells", forLab.ToString());
            // Models trained without stain anchors cannot use it; a file without anchors is refused naming it.
            Assert.Throws<ArgumentException>(() => (stains with { Color = ColorMode.Anchors }).WithLab(lab));
            string old = Path.Combine(dir, "old.json");
            File.WriteAllText(old, """{"name": "lab", "mean": [0.8, 0.7, 0.7], "std": [0.1, 0.1, 0.1]}""");
            var e = Assert.Throws<ArgumentException>(() => LabAnchors.Load(old));
            Assert.StartsWith(old + ": not a lab file", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
