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

    [Fact]
    public void Larger_image_is_resized_with_the_pil_compatible_eight_bit_resampler_then_normalised()
    {
        Rgb8Image img = TestImages.Pattern(128, 129);
        float[] expected = Resampler.ResizeBicubic(img, 64, 64).ToRgbImage().Planar;
        Normalization.Acevedo20.ApplyInPlace(expected);
        Assert.Equal(expected, new ImagePreprocessor(64, Normalization.Acevedo20).Process(img));
    }

    [Fact]
    public void Non_square_image_is_stretched_to_the_square_size()
    {
        var pre = new ImagePreprocessor(32, Normalization.Int20);
        float[] result = pre.Process(TestImages.Pattern(90, 30));
        Assert.Equal(3 * 32 * 32, result.Length);
        float[] expected = Resampler.ResizeBicubic(TestImages.Pattern(90, 30), 32, 32).ToRgbImage().Planar;
        Normalization.Int20.ApplyInPlace(expected);
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Preprocessing_a_file_equals_preprocessing_its_decoded_pixels()
    {
        using var dir = new TempFolder();
        Rgb8Image img = TestImages.Pattern(50, 41);
        string path = dir.Write("cell.png", TestImages.Png(img));
        var pre = new ImagePreprocessor(64, Normalization.Matek19);
        Assert.Equal(pre.Process(img), pre.Process(path));
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
