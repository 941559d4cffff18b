using System.Diagnostics;
using SkiaSharp;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

public sealed class ImageDecoderErrorTests
{
    private static readonly Rgb8Image Pattern = TestImages.Pattern(40, 30);

    private static ImageLoadException DecodeFails(string name, byte[] bytes, ImageDecoderOptions? options = null)
    {
        using var dir = new TempFolder();
        string path = dir.Write(name, bytes);
        var ex = Assert.Throws<ImageLoadException>(() => ImageDecoder.Decode(path, options));
        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Equal(path, ex.Path);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.IsAssignableFrom<WbcNcaException>(ex);
        return ex;
    }

    [Fact]
    public void Empty_file_is_rejected_with_a_message_naming_the_file()
    {
        Assert.Contains("empty", DecodeFails("empty.png", []).Message);
    }

    [Fact]
    public void Text_renamed_to_jpg_is_rejected_as_not_an_image()
    {
        var ex = DecodeFails("notes.jpg", "just some text, not a picture\n"u8.ToArray());
        Assert.Contains("not an image (unknown format; expected JPEG, PNG, BMP or TIFF)", ex.Message);
    }

    [Fact]
    public void Truncated_png_is_rejected_with_a_message_naming_the_file()
    {
        byte[] png = TestImages.Png(Pattern);
        Assert.Contains("truncated or corrupt PNG", DecodeFails("cut.png", png[..(png.Length / 2)]).Message);
    }

    [Fact]
    public void Png_cut_inside_its_header_is_rejected()
    {
        byte[] png = TestImages.Png(Pattern);
        Assert.Contains("truncated or corrupt PNG", DecodeFails("head.png", png[..20]).Message);
    }

    [Fact]
    public void Truncated_jpeg_is_rejected_with_a_message_naming_the_file()
    {
        byte[] jpg = TestImages.Jpeg(Pattern);
        Assert.Contains("truncated or corrupt JPEG", DecodeFails("cut.jpg", jpg[..(jpg.Length / 2)]).Message);
    }

    [Fact]
    public void Jpeg_signature_followed_by_garbage_is_rejected()
    {
        byte[] junk = [0xFF, 0xD8, 0xFF, .. Enumerable.Range(0, 500).Select(i => (byte)(i * 37 % 251))];
        Assert.Contains("truncated or corrupt JPEG", DecodeFails("junk.jpg", junk).Message);
    }

    [Fact]
    public void Truncated_bmp_is_rejected()
    {
        byte[] bmp = TestImages.Bmp(Pattern);
        Assert.Contains("truncated or corrupt BMP", DecodeFails("cut.bmp", bmp[..(bmp.Length / 3)]).Message);
    }

    [Fact]
    public void Truncated_tiff_is_rejected()
    {
        byte[] tif = TestImages.Tiff(40, 30, 3, 8, BitMiracle.LibTiff.Classic.Photometric.RGB, Pattern.Pixels);
        // The uncompressed strip comes first and the directory last: cut the directory in half.
        Assert.Contains("truncated or corrupt TIFF", DecodeFails("cut.tif", tif[..(tif.Length - 60)]).Message);
    }

    [Fact]
    public void Tiff_signature_followed_by_garbage_is_rejected()
    {
        byte[] junk = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, .. Enumerable.Range(0, 200).Select(i => (byte)(i * 91 % 253))];
        Assert.Contains("truncated or corrupt TIFF", DecodeFails("junk.tiff", junk).Message);
    }

    [Fact]
    public void Png_whose_pixel_data_is_overwritten_is_rejected()
    {
        byte[] png = TestImages.Png(Pattern);
        int idat = png.AsSpan().IndexOf("IDAT"u8);
        for (int i = idat + 10; i < Math.Min(idat + 60, png.Length - 20); i++) png[i] ^= 0x5A;
        Assert.Contains("truncated or corrupt PNG", DecodeFails("scrambled.png", png).Message);
    }

    [Fact]
    public void Png_declaring_a_huge_size_is_rejected_before_allocating_pixels()
    {
        // This thread's allocations only: tests of other collections run in parallel and allocate meanwhile.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        var ex = DecodeFails("bomb.png", TestImages.PngHeaderOnly(100_000, 100_000));
        sw.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("image too large: PNG declares 100000×100000 pixels", ex.Message);
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes while rejecting the image");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Image_larger_than_the_configured_limit_is_rejected_as_too_large()
    {
        var ex = DecodeFails("big.png", TestImages.Png(Pattern), new ImageDecoderOptions(MaxPixels: 40 * 30 - 1));
        Assert.Contains("image too large", ex.Message);
        Assert.Contains("40×30", ex.Message);
    }

    [Fact]
    public void Tiff_larger_than_the_configured_limit_is_rejected_as_too_large()
    {
        byte[] tif = TestImages.Tiff(40, 30, 3, 8, BitMiracle.LibTiff.Classic.Photometric.RGB, Pattern.Pixels);
        Assert.Contains("image too large", DecodeFails("big.tif", tif, new ImageDecoderOptions(MaxPixels: 100)).Message);
    }

    [Fact]
    public void Image_at_the_configured_limit_is_accepted()
    {
        Rgb8Image img = ImageDecoder.Decode8(TestImages.Png(Pattern), "ok.png", new ImageDecoderOptions(MaxPixels: 40 * 30));
        Assert.Equal(Pattern.Pixels, img.Pixels);
    }

    [Fact]
    public void Missing_file_is_rejected_with_a_message_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), "wbcnca-no-such-folder", "missing.png");
        var ex = Assert.Throws<ImageLoadException>(() => ImageDecoder.Decode(path));
        Assert.Equal($"{path}: file not found", ex.Message);
    }

    [Fact]
    public void Folder_given_as_an_image_is_rejected()
    {
        using var dir = new TempFolder();
        var ex = Assert.Throws<ImageLoadException>(() => ImageDecoder.Decode(dir.Path));
        Assert.StartsWith(dir.Path + ": ", ex.Message);
    }

    [Fact]
    public void In_memory_data_is_named_by_its_source_name_in_errors()
    {
        var ex = Assert.Throws<ImageLoadException>(() => ImageDecoder.Decode("GIF89a......"u8.ToArray(), "upload #3"));
        Assert.StartsWith("upload #3: not an image", ex.Message);
    }

    [Fact]
    public void Every_prefix_of_a_valid_png_jpeg_and_tiff_either_decodes_or_gives_an_image_load_error()
    {
        byte[][] files =
        [
            TestImages.Png(TestImages.Pattern(9, 7)),
            TestImages.Jpeg(TestImages.Pattern(9, 7)),
            TestImages.Tiff(9, 7, 3, 8, BitMiracle.LibTiff.Classic.Photometric.RGB, TestImages.Pattern(9, 7).Pixels),
            TestImages.Bmp(TestImages.Pattern(9, 7)),
        ];
        foreach (byte[] file in files)
            for (int n = 0; n < file.Length; n += Math.Max(1, file.Length / 60))
            {
                try { ImageDecoder.Decode8(file[..n], "prefix"); }
                catch (ImageLoadException ex) { Assert.StartsWith("prefix: ", ex.Message); }
            }
    }
}
