using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

public sealed class ImageFormatDetectionTests
{
    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, ImageFormat.Jpeg)]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, ImageFormat.Png)]
    [InlineData(new byte[] { 0x42, 0x4D, 0x36, 0x00 }, ImageFormat.Bmp)]
    [InlineData(new byte[] { 0x49, 0x49, 0x2A, 0x00 }, ImageFormat.Tiff)]
    [InlineData(new byte[] { 0x4D, 0x4D, 0x00, 0x2A }, ImageFormat.Tiff)]
    [InlineData(new byte[] { 0x49, 0x49, 0x2B, 0x00 }, ImageFormat.Tiff)]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, ImageFormat.Unknown)]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 }, ImageFormat.Unknown)]
    [InlineData(new byte[] { 0xFF, 0xD8 }, ImageFormat.Unknown)]
    [InlineData(new byte[] { }, ImageFormat.Unknown)]
    public void Format_is_recognised_from_the_first_bytes(byte[] header, ImageFormat expected)
    {
        Assert.Equal(expected, ImageDecoder.DetectFormat(header));
    }

    [Theory]
    [InlineData("a/b/cell.jpg", true)]
    [InlineData("CELL.JPEG", true)]
    [InlineData("x.Png", true)]
    [InlineData("x.bmp", true)]
    [InlineData("BAS_0001.TIFF", true)]
    [InlineData("x.tif", true)]
    [InlineData("x.gif", false)]
    [InlineData("x.jpg.txt", false)]
    [InlineData("jpg", false)]
    [InlineData("manifest.csv", false)]
    public void Supported_extensions_are_recognised_in_any_case(string path, bool expected)
    {
        Assert.Equal(expected, ImageDecoder.IsSupportedExtension(path));
    }

    [Fact]
    public void Reading_the_format_of_a_text_file_or_a_missing_file_fails_quietly()
    {
        using var dir = new TempFolder();
        string text = dir.Write("x.jpg", "hello"u8.ToArray());
        Assert.False(ImageDecoder.TryReadFormat(text, out ImageFormat f1));
        Assert.Equal(ImageFormat.Unknown, f1);
        Assert.False(ImageDecoder.TryReadFormat(Path.Combine(dir.Path, "missing.png"), out ImageFormat f2));
        Assert.Equal(ImageFormat.Unknown, f2);
        string tif = dir.Write("x.dat", TestImages.Tiff(2, 1, 3, 8, BitMiracle.LibTiff.Classic.Photometric.RGB, new byte[6]));
        Assert.True(ImageDecoder.TryReadFormat(tif, out ImageFormat f3));
        Assert.Equal(ImageFormat.Tiff, f3);
    }
}
