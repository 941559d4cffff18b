using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

public sealed class PreprocessingTests
{
    [Theory]
    [InlineData("whole", Framing.Whole, 2.4, 3.5)]
    [InlineData("nucleus", Framing.Nucleus, 2.4, 3.5)]
    [InlineData("nucleus:3", Framing.Nucleus, 3.0, 3.5)]
    [InlineData("cell", Framing.Cell, 2.4, 3.5)]
    [InlineData("CELL:4.5", Framing.Cell, 2.4, 4.5)]
    public void Framings_parse_with_their_factors(string text, Framing framing, double nucleus, double redCells)
    {
        Preprocessing p = Preprocessing.Default.WithFraming(text);
        Assert.Equal(framing, p.Framing);
        Assert.Equal(nucleus, p.NucleusFactor);
        Assert.Equal(redCells, p.RedCells);
        Assert.Equal(p, Preprocessing.Default.WithFraming(p.FramingText));
    }

    [Theory]
    [InlineData("crop", "unknown framing 'crop'")]
    [InlineData("nucleus:x", "'x' is not a number")]
    [InlineData("nucleus:0.5", "nucleus factor must be in [1.2, 10]")]
    [InlineData("whole:2", "unknown framing 'whole:2'")]
    public void Bad_framings_are_refused_with_one_line(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Preprocessing.Default.WithFraming(text));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_record_round_trips_through_its_stored_form()
    {
        var p = new Preprocessing(Framing.Cell, 2.2, 4.0, ColorMode.Anchors);
        Assert.Equal("{\"framing\":\"cell\",\"nucleus_factor\":2.2,\"red_cells\":4,\"color\":\"anchors\"}", p.ToJson());
        Assert.Equal(p, Preprocessing.FromJson(p.ToJson()));
        Assert.Equal(Preprocessing.Default, Preprocessing.FromJson("{}"));
        var stains = new Preprocessing(Framing.Nucleus).WithColor("Stains");
        Assert.Equal(ColorMode.Stains, stains.Color);
        Assert.True(stains.NeedsLocator);
        Assert.Equal("{\"framing\":\"nucleus\",\"nucleus_factor\":2.4,\"red_cells\":3.5,\"color\":\"stains\"}", stains.ToJson());
        Assert.Equal(stains, Preprocessing.FromJson(stains.ToJson()));
        Assert.Contains("expected rgb, anchors or stains", Assert.Throws<ArgumentException>(() => stains.WithColor("lab")).Message);
        // A lab's red-cell colour (an adapted model's) is stored, read back and compared by value.
        var forLab = stains with { LabRedCell = [0.8f, 0.7f, 0.6f] };
        Assert.Contains("\"lab_red_cell\":[0.8,0.7,0.6]", forLab.ToJson());
        Assert.Equal(forLab, Preprocessing.FromJson(forLab.ToJson()));
        Assert.NotEqual(stains, forLab);
        Assert.NotEqual(forLab, forLab with { LabRedCell = [0.8f, 0.7f, 0.5f] });
        Assert.Throws<ArgumentException>(() => Preprocessing.FromJson("{\"color\":\"stains\",\"lab_red_cell\":[0.8,2]}"));
    }

    [Fact]
    public void Default_preprocessing_gives_exactly_the_plain_resize_and_normalisation()
    {
        Rgb8Image image = new SyntheticSmear(90, 90).WhiteCell(45, 45, 10, 18).Build();
        var plain = new ImagePreprocessor(32, Normalization.Acevedo20).Process(image);
        var viaDefault = new ImagePreprocessor(32, Normalization.Acevedo20, preprocessing: Preprocessing.Default).Process(image);
        Assert.Equal(plain, viaDefault);
        Rgb8Image sized = Resampler.ResizeBicubic(image, 32, 32);
        Assert.Equal(sized.Pixels[0] / 255f, plain[0] * Normalization.Acevedo20.Std[0] + Normalization.Acevedo20.Mean[0], 5);
    }

    [Fact]
    public void Nucleus_framing_magnifies_a_small_cell_of_a_wide_field()
    {
        Rgb8Image field = new SyntheticSmear(256, 256).WhiteCell(170, 90, 10, 16).Build(noise: 0);
        var identity = new Normalization("none", [0f, 0f, 0f], [1f, 1f, 1f]);
        float[] whole = new ImagePreprocessor(32, identity).Process(field);
        float[] framed = new ImagePreprocessor(32, identity, preprocessing: new Preprocessing(Framing.Nucleus)).Process(field);
        static int Dark(float[] chw) => Enumerable.Range(0, 32 * 32).Count(i => chw[i] < 0.5f);   // red channel below ½: nucleus
        Assert.InRange(Dark(whole), 1, 20);             // about 2.5 % of the whole field
        Assert.InRange(Dark(framed), 100, 250);         // a 1/2.4-wide disc: about 14 % of the frame
        Assert.True(framed[16 * 32 + 16] < 0.5f, "the frame's centre is nucleus");
    }
}
