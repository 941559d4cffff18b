using BitMiracle.LibTiff.Classic;
using SkiaSharp;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

public sealed class ImageDecoderFormatTests
{
    private static readonly Rgb8Image Pattern = TestImages.Pattern(23, 17);

    private static void AssertSamePixels(Rgb8Image expected, Rgb8Image actual)
    {
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Height, actual.Height);
        Assert.Equal(expected.Pixels, actual.Pixels);
    }

    [Fact]
    public void Png_decodes_to_the_exact_pixels_that_were_encoded()
    {
        AssertSamePixels(Pattern, ImageDecoder.Decode8(TestImages.Png(Pattern), "p.png"));
    }

    [Fact]
    public void Float_decoding_gives_the_bytes_divided_by_255_in_planar_layout()
    {
        RgbImage img = ImageDecoder.Decode(TestImages.Png(Pattern), "p.png");
        Assert.Equal((23, 17), (img.Width, img.Height));
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 17; y += 4)
                for (int x = 0; x < 23; x += 3)
                    Assert.Equal(Pattern[c, y, x] / 255f, img[c, y, x]);
    }

    [Fact]
    public void Jpeg_decodes_close_to_the_encoded_pixels()
    {
        // A smooth image, so that quality-95 JPEG stays within a few levels.
        var smooth = new byte[3 * 32 * 24];
        for (int y = 0; y < 24; y++)
            for (int x = 0; x < 32; x++)
            {
                int i = 3 * (y * 32 + x);
                smooth[i] = (byte)(40 + 5 * x); smooth[i + 1] = (byte)(200 - 6 * y); smooth[i + 2] = 128;
            }
        var src = new Rgb8Image(32, 24, smooth);
        Rgb8Image decoded = ImageDecoder.Decode8(TestImages.Jpeg(src), "s.jpg");
        Assert.Equal((32, 24), (decoded.Width, decoded.Height));
        int maxDiff = src.Pixels.Zip(decoded.Pixels, (a, b) => Math.Abs(a - b)).Max();
        Assert.InRange(maxDiff, 0, 8);
    }

    [Fact]
    public void Bmp_written_byte_by_byte_decodes_exactly_with_rows_top_to_bottom()
    {
        AssertSamePixels(Pattern, ImageDecoder.Decode8(TestImages.Bmp(Pattern), "b.bmp"));
    }

    [Fact]
    public void Png_alpha_is_dropped_without_compositing()
    {
        // Transparent and half-transparent pixels keep their stored colour (PIL's convert("RGB")).
        byte[] rgba = TestImages.WithAlpha(Pattern, (x, y) => (byte)((x + y) % 3 == 0 ? 0 : 128));
        byte[] png = TestImages.EncodeSkia(Pattern.Width, Pattern.Height, rgba, SKEncodedImageFormat.Png);
        AssertSamePixels(Pattern, ImageDecoder.Decode8(png, "a.png"));
    }

    [Fact]
    public void Rgb_tiff_decodes_exactly()
    {
        byte[] tif = TestImages.Tiff(23, 17, 3, 8, Photometric.RGB, Pattern.Pixels);
        AssertSamePixels(Pattern, ImageDecoder.Decode8(tif, "t.tif"));
    }

    [Fact]
    public void Compressed_rgb_tiff_decodes_exactly()
    {
        byte[] tif = TestImages.Tiff(23, 17, 3, 8, Photometric.RGB, Pattern.Pixels, compression: Compression.LZW);
        AssertSamePixels(Pattern, ImageDecoder.Decode8(tif, "t.tif"));
    }

    [Fact]
    public void Rgba_tiff_like_matek19_drops_alpha_without_premultiplying()
    {
        byte[] rgba = TestImages.WithAlpha(Pattern, (x, y) => (byte)(x * 10 % 256));
        byte[] tif = TestImages.Tiff(23, 17, 4, 8, Photometric.RGB, rgba, unassociatedAlpha: true);
        AssertSamePixels(Pattern, ImageDecoder.Decode8(tif, "BAS_0001.tiff"));
    }

    [Fact]
    public void Grayscale_tiff_is_replicated_to_three_channels()
    {
        byte[] gray = Enumerable.Range(0, 23 * 17).Select(i => (byte)(i * 5 % 256)).ToArray();
        Rgb8Image img = ImageDecoder.Decode8(TestImages.Tiff(23, 17, 1, 8, Photometric.MINISBLACK, gray), "g.tif");
        for (int i = 0; i < gray.Length; i++)
        {
            Assert.Equal(gray[i], img.Pixels[3 * i]);
            Assert.Equal(gray[i], img.Pixels[3 * i + 1]);
            Assert.Equal(gray[i], img.Pixels[3 * i + 2]);
        }
    }

    [Fact]
    public void Min_is_white_grayscale_tiff_is_inverted()
    {
        byte[] gray = [0, 10, 200, 255];
        Rgb8Image img = ImageDecoder.Decode8(TestImages.Tiff(2, 2, 1, 8, Photometric.MINISWHITE, gray), "w.tif");
        Assert.Equal(new byte[] { 255, 255, 255, 245, 245, 245, 55, 55, 55, 0, 0, 0 }, img.Pixels);
    }

    [Fact]
    public void Sixteen_bit_rgb_tiff_keeps_the_high_byte()
    {
        // Each 8-bit value v stored as v·257 (0xvvvv): high byte and rounding both give v.
        var samples = new byte[Pattern.Pixels.Length * 2];
        for (int i = 0; i < Pattern.Pixels.Length; i++)
        {
            ushort v = (ushort)(Pattern.Pixels[i] * 257 - (Pattern.Pixels[i] > 0 ? 1 : 0));
            samples[2 * i] = (byte)v;
            samples[2 * i + 1] = (byte)(v >> 8);
        }
        AssertSamePixels(Pattern, ImageDecoder.Decode8(TestImages.Tiff(23, 17, 3, 16, Photometric.RGB, samples), "s16.tif"));
    }

    [Fact]
    public void Sixteen_bit_grayscale_tiff_keeps_the_high_byte()
    {
        ushort[] values = [0x0000, 0x12FF, 0x8000, 0xFFFF];
        byte[] samples = values.SelectMany(v => new[] { (byte)v, (byte)(v >> 8) }).ToArray();
        Rgb8Image img = ImageDecoder.Decode8(TestImages.Tiff(2, 2, 1, 16, Photometric.MINISBLACK, samples), "g16.tif");
        Assert.Equal(new byte[] { 0, 0, 0, 0x12, 0x12, 0x12, 0x80, 0x80, 0x80, 0xFF, 0xFF, 0xFF }, img.Pixels);
    }

    [Fact]
    public void Palette_tiff_maps_indices_through_the_colour_map()
    {
        var map = new ushort[3][];
        for (int c = 0; c < 3; c++)
            map[c] = Enumerable.Range(0, 256).Select(i => (ushort)(((i * (c + 3)) % 256) * 257)).ToArray();
        byte[] indices = [0, 1, 2, 100, 200, 255];
        Rgb8Image img = ImageDecoder.Decode8(TestImages.Tiff(3, 2, 1, 8, Photometric.PALETTE, indices, colormap: map), "p.tif");
        for (int i = 0; i < indices.Length; i++)
            for (int c = 0; c < 3; c++)
                Assert.Equal((byte)(indices[i] * (c + 3) % 256), img.Pixels[3 * i + c]);
    }

    [Fact]
    public void Tiled_tiff_decodes_exactly_including_partial_edge_tiles()
    {
        byte[] tif = TestImages.Tiff(23, 17, 3, 8, Photometric.RGB, Pattern.Pixels, tile: 16);
        AssertSamePixels(Pattern, ImageDecoder.Decode8(tif, "tiled.tif"));
    }

    [Fact]
    public void Decoding_a_file_reads_the_same_pixels_as_decoding_its_bytes()
    {
        using var dir = new TempFolder();
        string path = dir.Write("cell.png", TestImages.Png(Pattern));
        AssertSamePixels(Pattern, ImageDecoder.Decode8(path));
        Assert.Equal(ImageDecoder.Decode(path).Planar, Pattern.ToRgbImage().Planar);
    }

    [Fact]
    public void The_format_is_taken_from_the_content_not_the_extension()
    {
        using var dir = new TempFolder();
        string path = dir.Write("actually_a_png.jpg", TestImages.Png(Pattern));
        AssertSamePixels(Pattern, ImageDecoder.Decode8(path));
        Assert.True(ImageDecoder.TryReadFormat(path, out ImageFormat format));
        Assert.Equal(ImageFormat.Png, format);
    }
}
