using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

public sealed class NormalizationStatisticsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("wbc-nca-stats-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Statistics_are_the_per_channel_mean_and_population_std_over_all_images()
    {
        // Two 1×2 images: R = {0, 1 | 1, 1}, G = {0.5 ×4}, B = {0, 0 | 0.2, 0.2}.
        float[] images = [0f, 1f, 0.5f, 0.5f, 0f, 0f, /* second */ 1f, 1f, 0.5f, 0.5f, 0.2f, 0.2f];
        Normalization n = Normalization.Measure("lab", images, 6);
        Assert.Equal("lab", n.Name);
        Assert.Equal(0.75f, n.Mean[0], 6);
        Assert.Equal((float)Math.Sqrt(0.1875), n.Std[0], 6);
        Assert.Equal(0.5f, n.Mean[1], 6);
        Assert.Equal(Normalization.MinStd, n.Std[1]);            // flat channel: the floor, not zero
        Assert.Equal(0.1f, n.Mean[2], 6);
        Assert.Equal(0.1f, n.Std[2], 6);
    }

    [Fact]
    public void A_statistics_file_round_trips_and_parses_as_a_normalisation()
    {
        var n = new Normalization("jtsc", [0.9f, 0.8f, 0.7f], [0.2f, 0.25f, 0.1f]);
        string path = Path.Combine(folder, "lab.json");
        File.WriteAllText(path, n.ToJson(new Dictionary<string, object> { ["images"] = 300 }));
        Normalization read = Normalization.Parse(path);
        Assert.Equal("jtsc", read.Name);
        Assert.Equal(n.Mean, read.Mean);
        Assert.Equal(n.Std, read.Std);
        Assert.False(read.IsPerImage);
    }

    [Fact]
    public void A_gain_and_offset_folded_into_the_statistics_normalise_as_the_statistics_then_the_gain_and_offset()
    {
        var n = new Normalization("acevedo20", [0.9f, 0.8f, 0.7f], [0.2f, 0.25f, 0.1f]);
        float[] gain = [1.5f, 0.8f, 1f], offset = [0.3f, -0.2f, 0f];
        Normalization folded = n.WithGainAndOffset(gain, offset, "+lab");
        float[] pixels = [0.1f, 0.95f, 0.5f, 0.6f, 0.7f, 0.2f];       // a 1×2 image, planar
        float[] expected = (float[])pixels.Clone(), actual = (float[])pixels.Clone();
        n.ApplyInPlace(expected);
        for (int i = 0; i < expected.Length; i++) expected[i] = expected[i] * gain[i / 2] + offset[i / 2];
        folded.ApplyInPlace(actual);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
        Assert.Equal("acevedo20+lab", folded.Name);
        Assert.Equal("acevedo20+lab", folded.WithGainAndOffset([1f, 1f, 1f], [0f, 0f, 0f], "+lab").Name);   // the suffix once
        Assert.Throws<InvalidOperationException>(() => Normalization.PerImage.WithGainAndOffset(gain, offset, "+lab"));
        Assert.Throws<ArgumentException>(() => n.WithGainAndOffset([1f, 0f, 1f], offset, "+lab"));
    }

    [Theory]
    [InlineData("{\"mean\":[0.5,0.5],\"std\":[0.1,0.1,0.1]}", "needs 3 finite means")]
    [InlineData("{\"mean\":[0.5,0.5,0.5],\"std\":[0.1,0,0.1]}", "positive standard deviations")]
    [InlineData("not json", "not a statistics file")]
    [InlineData("{\"std\":[0.1,0.1,0.1]}", "not a statistics file")]
    public void A_bad_statistics_file_is_refused_in_one_line_naming_it(string content, string message)
    {
        string path = Path.Combine(folder, "bad.json");
        File.WriteAllText(path, content);
        var e = Assert.Throws<ArgumentException>(() => Normalization.Parse(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
