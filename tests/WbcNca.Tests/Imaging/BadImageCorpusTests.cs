using WbcNca.Data;
using System.Diagnostics;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

/// <summary>Every file of <see cref="BadImageCorpus"/> either loads with the right pixels or is rejected with one line naming it.</summary>
public sealed class BadImageCorpusTests
{
    public static TheoryData<string> Loadable => BadImageCorpus.Names(mustLoad: true);

    public static TheoryData<string> Rejected => BadImageCorpus.Names(mustLoad: false);

    [Theory]
    [MemberData(nameof(Loadable))]
    public void An_unusual_but_valid_file_loads_with_the_right_pixels(string name)
    {
        var c = BadImageCorpus.Get(name);
        using var dir = new TempFolder();
        Rgb8Image image = ImageDecoder.Decode8(dir.Write(name, c.Bytes));
        Assert.Equal((c.Expected!.Width, c.Expected.Height), (image.Width, image.Height));
        int worst = c.Expected.Pixels.Zip(image.Pixels, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= c.Tolerance, $"{name}: a sample differs by {worst} (allowed {c.Tolerance})");
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void A_broken_or_hostile_file_is_rejected_with_one_line_naming_it(string name)
    {
        var c = BadImageCorpus.Get(name);
        using var dir = new TempFolder();
        string path = dir.Write(name, c.Bytes);
        // This thread's allocations only: tests of other collections run in parallel and allocate meanwhile.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ImageLoadException>(() => ImageDecoder.Decode8(path));
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(e.Message.Contains(c.Rejection!, StringComparison.Ordinal), $"expected \"{c.Rejection}\" in: {e.Message}");
        // Decompression bombs are refused from the header: nothing near the declared size is allocated.
        Assert.True(allocated < 16 << 20, $"{name}: {allocated} bytes allocated while rejecting it");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{name}: took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void A_one_pixel_image_becomes_a_flat_model_input_of_its_colour()
    {
        using var dir = new TempFolder();
        string path = dir.Write("one-pixel.png", BadImageCorpus.Get("one-pixel.png").Bytes);
        float[] input = new ImagePreprocessor(16, WbcNca.Data.ImageCache.Identity).Process(path);
        Assert.Equal(3 * 16 * 16, input.Length);
        for (int c = 0; c < 3; c++)
            Assert.All(input.AsSpan(c * 256, 256).ToArray(), v => Assert.Equal(new[] { 180, 90, 200 }[c] / 255f, v, 5));
    }
}
