using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

public sealed class CellLocatorTests
{
    [Fact]
    public void A_blank_image_has_no_cell_and_is_framed_whole()
    {
        Rgb8Image blank = new SyntheticSmear(100, 80).Build();
        CellLocation loc = CellLocator.Locate(blank);
        Assert.False(loc.CellFound);
        Assert.Empty(loc.Candidates);
        Assert.Equal("whole", loc.Scale);
        Assert.Equal(100, loc.SidePixels);
        Assert.Equal(50, loc.CenterX);
        Assert.Equal(40, loc.CenterY);
    }

    [Fact]
    public void Noise_and_a_field_of_red_cells_only_have_no_cell()
    {
        var rng = new Random(3);
        var noise = new byte[3 * 96 * 96];
        rng.NextBytes(noise);
        Assert.False(CellLocator.Locate(new Rgb8Image(96, 96, noise)).CellFound);
        Assert.False(CellLocator.Locate(new SyntheticSmear(160, 160).RedCells(24).Build()).CellFound);
    }

    [Fact]
    public void A_centred_cell_among_red_cells_is_framed_by_red_cell_diameters()
    {
        Rgb8Image image = new SyntheticSmear(128, 128).RedCells(24, (64, 64, 22)).WhiteCell(64, 64, 12, 20).Build();
        CellLocation loc = CellLocator.Locate(image, nucleusFactor: 2.4, redCells: 3.5);
        Assert.True(loc.CellFound);
        Assert.InRange(loc.CenterX, 62, 66);
        Assert.InRange(loc.CenterY, 62, 66);
        Assert.InRange(loc.Cell!.Extent, 22, 27);                       // nucleus diameter 25
        Assert.Equal("red_cells", loc.Scale);
        Assert.True(loc.RedCellCount >= CellLocator.MinRedCells);
        Assert.InRange(loc.RedCellDiameter, 22, 27);                    // red cells 25 px across
        Assert.InRange(loc.Side, 3.5 * 22, 3.5 * 27);
    }

    [Fact]
    public void Without_the_red_cell_rule_the_frame_is_a_multiple_of_the_nucleus_extent()
    {
        Rgb8Image image = new SyntheticSmear(128, 128).RedCells(24, (64, 64, 22)).WhiteCell(64, 64, 12, 20).Build();
        CellLocation loc = CellLocator.Locate(image, nucleusFactor: 2.0, redCells: 0);
        Assert.Equal("nucleus", loc.Scale);
        Assert.Equal(2.0 * loc.Cell!.Extent, loc.Side, 6);
    }

    [Fact]
    public void A_tight_crop_without_red_cells_falls_back_to_the_nucleus_rule_and_the_frame_leaves_the_image()
    {
        Rgb8Image image = new SyntheticSmear(60, 60).WhiteCell(30, 30, 16, 29).Build();
        CellLocation loc = CellLocator.Locate(image, nucleusFactor: 2.4, redCells: 3.5);
        Assert.True(loc.CellFound);
        Assert.Equal("nucleus", loc.Scale);
        Assert.Equal(0, loc.RedCellCount);
        Assert.True(loc.Side > 60, $"frame {loc.Side} should be larger than the 60-px crop");
    }

    [Fact]
    public void A_small_cell_off_centre_in_a_whole_microscope_field_is_found()
    {
        Rgb8Image field = new SyntheticSmear(640, 480, seed: 1).RedCells(40, (470, 130, 36)).WhiteCell(470, 130, 20, 34).Build();
        CellLocation loc = CellLocator.Locate(field, redCells: 3.5);
        Assert.True(loc.CellFound);
        Assert.InRange(loc.CenterX, 464, 476);
        Assert.InRange(loc.CenterY, 124, 136);
        Assert.InRange(loc.Cell!.Extent, 36, 48);
    }

    [Fact]
    public void Two_white_cells_are_two_candidates_and_the_one_nearer_the_centre_is_framed()
    {
        Rgb8Image field = new SyntheticSmear(300, 200).WhiteCell(160, 100, 14, 22).WhiteCell(40, 40, 14, 22).Build();
        CellLocation loc = CellLocator.Locate(field);
        Assert.Equal(2, loc.Candidates.Count);
        Assert.Equal(0, loc.Chosen);
        Assert.InRange(loc.CenterX, 156, 164);
        Assert.InRange(loc.Candidates[1].CenterX, 36, 44);
    }

    [Fact]
    public void The_lobes_of_a_segmented_nucleus_are_merged_into_one_candidate()
    {
        Rgb8Image image = new SyntheticSmear(128, 128).Disc(64, 64, 24, (205, 185, 215))
            .Disc(52, 58, 7, (95, 55, 150)).Disc(68, 54, 7, (95, 55, 150)).Disc(70, 72, 7, (95, 55, 150)).Build();
        CellLocation loc = CellLocator.Locate(image);
        Assert.Single(loc.Candidates);
        Assert.InRange(loc.Cell!.Width, 30, 36);                        // from x = 45 to x = 77
    }

    [Fact]
    public void A_cell_at_the_border_is_framed_around_it_and_the_frame_is_padded_with_the_background_colour()
    {
        Rgb8Image image = new SyntheticSmear(120, 120).WhiteCell(14, 60, 12, 18).Build(noise: 0);
        CellLocation loc = CellLocator.Locate(image);
        Assert.True(loc.CellFound);
        Assert.InRange(loc.CenterX, 11, 17);
        Assert.True(loc.Left < 0);
        Rgb8Image crop = CellLocator.Crop(image, loc);
        Assert.Equal(loc.SidePixels, crop.Width);
        // A pixel left of the image is the background colour; one inside is the image's own.
        Assert.Equal(new byte[] { 240, 222, 205 }, new[] { crop[0, crop.Height / 2, 0], crop[1, crop.Height / 2, 0], crop[2, crop.Height / 2, 0] });
        int ix = 30 - loc.Left, iy = 60 - loc.Top;
        Assert.Equal(image[1, 60, 30], crop[1, iy, ix]);
        // The nucleus centre lies in the middle of the crop.
        Assert.InRange(14 - loc.Left, crop.Width / 2 - 3, crop.Width / 2 + 3);
    }

    [Fact]
    public void Background_and_nucleus_colours_are_measured()
    {
        Rgb8Image image = new SyntheticSmear(128, 128).WhiteCell(64, 64, 20, 30).Build(noise: 0);
        CellLocation loc = CellLocator.Locate(image);
        Assert.Equal(240 / 255f, loc.Background[0], 3);
        Assert.Equal(222 / 255f, loc.Background[1], 3);
        Assert.Equal(95 / 255f, loc.Nucleus[0], 2);
        Assert.Equal(150 / 255f, loc.Nucleus[2], 2);
    }

    [Fact]
    public void Colour_anchors_send_the_background_and_the_nucleus_to_the_reference_colours()
    {
        // A yellowish lab: its background and nucleus differ from Acevedo-20's.
        Rgb8Image image = new SyntheticSmear(128, 128, background: (250, 245, 170)).Disc(64, 64, 20, (120, 60, 110)).Build(noise: 0);
        CellLocation loc = CellLocator.Locate(image);
        var chw = new float[] { 250 / 255f, 120 / 255f, 245 / 255f, 60 / 255f, 170 / 255f, 110 / 255f };   // 2 pixels: background, nucleus
        ColorAnchors.Apply(chw, loc);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(Preprocessing.ReferenceBackground[c], chw[2 * c], 3);
            Assert.Equal(Preprocessing.ReferenceNucleus[c], chw[2 * c + 1], 3);
        }
    }

    [Fact]
    public void Without_a_nucleus_colour_anchors_only_white_balance()
    {
        Rgb8Image blank = new SyntheticSmear(64, 64, background: (200, 200, 200)).Build(noise: 0);
        CellLocation loc = CellLocator.Locate(blank);
        var chw = new float[] { 200 / 255f, 200 / 255f, 200 / 255f };
        ColorAnchors.Apply(chw, loc);
        for (int c = 0; c < 3; c++) Assert.Equal(Preprocessing.ReferenceBackground[c], chw[c], 3);
    }
}
