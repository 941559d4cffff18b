using WbcNca.Imaging;
using WbcNca.Training;
using static TorchSharp.torch;

namespace WbcNca.Tests.Imaging;

[Collection(TorchCollection.Name)]
public class GrayNormalizationTests
{
    private static float[] RandomImage(int s, int seed)
    {
        var rng = new Random(seed);
        var px = new float[3 * s * s];
        for (int i = 0; i < px.Length; i++) px[i] = (float)(0.1 + 0.8 * rng.NextDouble());
        return px;
    }

    [Fact]
    public void Gray_puts_the_per_image_normalised_luminance_into_all_three_channels()
    {
        int s = 6, plane = s * s;
        float[] px = RandomImage(s, 1);
        float[] luma = Enumerable.Range(0, plane).Select(i => 0.299f * px[i] + 0.587f * px[plane + i] + 0.114f * px[2 * plane + i]).ToArray();
        float[] expected = (float[])luma.Clone();
        Normalization.PerImage.ApplyInPlace(expected, channels: 1);
        Normalization gray = Normalization.Parse("gray");
        Assert.True(gray.IsGray && gray.IsPerImage);
        gray.ApplyInPlace(px);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++) Assert.Equal(expected[i], px[c * plane + i], 1e-5f);
    }

    [Fact]
    public void Gray_on_tensors_equals_the_array_version()
    {
        float[] px = RandomImage(5, 2);
        using var t = Normalization.GrayPerImage.ApplyTo(tensor(px, [1, 3, 5, 5]));
        float[] arr = (float[])px.Clone();
        Normalization.GrayPerImage.ApplyInPlace(arr);
        float[] fromTensor = t.contiguous().data<float>().ToArray();
        for (int i = 0; i < arr.Length; i++) Assert.Equal(arr[i], fromTensor[i], 1e-4f);
    }

    [Fact]
    public void Gray_input_is_blind_to_a_hue_rotation_and_a_change_of_brightness()
    {
        float[] px = RandomImage(8, 3);
        using var x = tensor(px, [1, 3, 8, 8]);
        using var shifted = Augmentation.HueRotate(x, full([1, 1, 1, 1], 0.4f)) * 0.8;   // another stain hue, a dimmer lamp
        using var a = Normalization.GrayPerImage.ApplyTo(x);
        using var b = Normalization.GrayPerImage.ApplyTo(shifted);
        Assert.True(a.allclose(b, atol: 1e-3), $"max difference {(a - b).abs().max().item<float>()}");
        using var colour = Normalization.PerImage.ApplyTo(shifted);
        using var colourRef = Normalization.PerImage.ApplyTo(x);
        Assert.False(colour.allclose(colourRef, atol: 1e-2), "per-channel normalisation should still see the hue change");
    }
}
