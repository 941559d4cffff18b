using System.Security.Cryptography;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

public sealed class ImagePreprocessorTests
{
    [Fact]
    public void Image_of_the_model_size_is_only_scaled_and_normalised()
    {
        Rgb8Image img = TestImages.Pattern(64, 64);
        float[] result = new ImagePreprocessor(64, Normalization.Matek19).Process(img);
        Assert.Equal(3 * 64 * 64, result.Length);
        int plane = 64 * 64;
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i += 37)
                Assert.Equal((img.Pixels[3 * i + c] / 255f - Normalization.Matek19.Mean[c]) / Normalization.Matek19.Std[c], result[c * plane + i]);
    }

    // The model input turned back into bytes: round((v · std + mean) · 255), which undoes (byte / 255 − mean) / std exactly
    // for the statistics used here; its SHA-256 is then compared with the bytes PIL's resize gives (tools/pil_resize_reference.py,
    // the values PilParityTests holds), so the expected values come from Pillow, not from this code.
    private static string BytesHash(float[] planar, Normalization n, int size)
    {
        int plane = size * size;
        var bytes = new byte[3 * plane];
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
                bytes[3 * i + c] = checked((byte)Math.Round((planar[c * plane + i] * (double)n.Std[c] + n.Mean[c]) * 255));
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    [Fact]
    public void Larger_image_is_resized_with_the_pil_compatible_eight_bit_resampler_then_normalised()
    {
        float[] result = new ImagePreprocessor(64, Normalization.Acevedo20).Process(TestImages.Pattern(128, 129));
        Assert.Equal("16a48c7f616ba6369591a4e82a68e91f85d91934afade1c5e804f6ad8dc0b527", BytesHash(result, Normalization.Acevedo20, 64));   // PIL 128×129 → 64×64
    }

    [Fact]
    public void Non_square_image_is_stretched_to_the_square_size()
    {
        float[] result = new ImagePreprocessor(64, Normalization.Int20).Process(TestImages.Pattern(40, 30));
        Assert.Equal(3 * 64 * 64, result.Length);
        Assert.Equal("d07318f60775049c371567e81ec6211e9bbc62bd9a95b5d8daac5a88de184cde", BytesHash(result, Normalization.Int20, 64));   // PIL 40×30 → 64×64
    }

    [Fact]
    public void Preprocessing_a_file_decodes_it_and_resizes_it_as_pil_does()
    {
        using var dir = new TempFolder();
        string path = dir.Write("cell.png", TestImages.Png(TestImages.Pattern(128, 129)));
        float[] result = new ImagePreprocessor(64, Normalization.Matek19).Process(path);
        Assert.Equal("16a48c7f616ba6369591a4e82a68e91f85d91934afade1c5e804f6ad8dc0b527", BytesHash(result, Normalization.Matek19, 64));
    }

    [Fact]
    public void Per_image_normalisation_gives_zero_mean_and_unit_std_per_channel()
    {
        float[] result = new ImagePreprocessor(64, Normalization.PerImage).Process(TestImages.Pattern(100, 90));
        int plane = 64 * 64;
        for (int c = 0; c < 3; c++)
        {
            double mean = 0, sq = 0;
            for (int i = 0; i < plane; i++) mean += result[c * plane + i];
            mean /= plane;
            for (int i = 0; i < plane; i++) sq += Math.Pow(result[c * plane + i] - mean, 2);
            Assert.InRange(mean, -1e-4, 1e-4);
            Assert.InRange(Math.Sqrt(sq / plane), 0.999, 1.001);
        }
    }

    [Fact]
    public void Dataset_normalisation_divides_by_std_as_torchvision_does()
    {
        // torchvision's Normalize computes (x − mean) / std in float32; multiplying by 1/std differs in the last bit for some values.
        var data = Enumerable.Range(0, 256).Select(v => v / 255f).ToArray();
        float[] chw = [.. data, .. data, .. data];
        Normalization.Acevedo20.ApplyInPlace(chw);
        for (int c = 0; c < 3; c++)
            for (int v = 0; v < 256; v++)
                Assert.Equal((data[v] - Normalization.Acevedo20.Mean[c]) / Normalization.Acevedo20.Std[c], chw[c * 256 + v]);
    }

    [Fact]
    public void Destination_of_the_wrong_length_is_refused()
    {
        var pre = new ImagePreprocessor(8, Normalization.Matek19);
        Assert.Throws<ArgumentException>(() => pre.Process(TestImages.Pattern(8, 8), new float[3 * 8 * 8 - 1]));
    }

    [Fact]
    public void Unreadable_file_gives_an_image_load_error_naming_it()
    {
        using var dir = new TempFolder();
        string path = dir.Write("bad.png", "not a png"u8.ToArray());
        var ex = Assert.Throws<ImageLoadException>(() => new ImagePreprocessor(64, Normalization.Matek19).Process(path));
        Assert.StartsWith(path + ": not an image", ex.Message);
    }
}
