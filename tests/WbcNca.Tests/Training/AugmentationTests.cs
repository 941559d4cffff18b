using TorchSharp;
using WbcNca.Imaging;
using WbcNca.Training;
using static TorchSharp.torch;

namespace WbcNca.Tests.Training;

[Collection(TorchCollection.Name)]
public class AugmentationTests
{
    private static Tensor Images(int b, int s, long seed)
    {
        var g = new Generator((ulong)seed);
        return rand([b, 3, s, s], generator: g);
    }

    [Fact]
    public void Default_augmentation_changes_the_pixels_of_every_image()
    {
        using var x = Images(8, 16, 1);
        using var g = new Generator(42);
        using var y = Augmentation.Apply(x, new AugmentationOptions(), g);
        Assert.Equal(x.shape, y.shape);
        for (int i = 0; i < 8; i++)
            Assert.True((y[i] - x[i]).abs().max().item<float>() > 0.05f, $"image {i} unchanged");
    }

    [Fact]
    public void Making_a_batch_keeps_the_labels_of_the_chosen_images_while_the_pixels_change()
    {
        int s = 8;
        var data = new float[6 * 3 * s * s];
        var rng = new Random(3);
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextDouble();
        var cache = ImageCache.FromArrays(s, data, [0, 1, 2, 3, 4, 5]);
        int[] chosen = [5, 2, 2, 0];
        using var g = new Generator(9);
        var (images, labels) = Trainer.MakeBatch(cache, chosen, AugmentationOptions.Stain, ImageCache.Identity, g);
        Assert.Equal(new long[] { 5, 2, 2, 0 }, labels.data<long>().ToArray());
        using var plain = tensor(cache.Gather(chosen), [4, 3, s, s]);
        Assert.True((images - plain).abs().mean().item<float>() > 0.01f);
    }

    [Fact]
    public void A_quarter_turn_moves_pixels_like_rot90_and_flips_mirror_them()
    {
        using var x = Images(1, 6, 2);
        using var quarter = Augmentation.Affine(x, tensor(new float[] { (float)(Math.PI / 2) }), ones(1), ones(1));
        using var r1 = x.rot90(1, (2, 3));
        using var r3 = x.rot90(-1, (2, 3));
        bool matches = quarter.allclose(r1, atol: 1e-4) || quarter.allclose(r3, atol: 1e-4);
        Assert.True(matches, "a 90° rotation should equal rot90 of the image");
        using var flipped = Augmentation.Affine(x, zeros(1), -ones(1), ones(1));
        Assert.True(flipped.allclose(x.flip(3), atol: 1e-5));
        using var identity = Augmentation.Affine(x, zeros(1), ones(1), ones(1));
        Assert.True(identity.allclose(x, atol: 1e-5));
    }

    [Fact]
    public void Stain_augmentation_changes_colours_but_keeps_values_in_range()
    {
        using var x = Images(4, 8, 3);
        using var g = new Generator(5);
        var colourOnly = AugmentationOptions.Stain with { Rotate = false, Flip = false };
        using var y = Augmentation.Apply(x, colourOnly, g);
        Assert.True(y.min().item<float>() >= 0f && y.max().item<float>() <= 1f);
        Assert.True((y - x).abs().mean().item<float>() > 0.01f);
    }

    [Fact]
    public void No_augmentation_leaves_the_images_as_they_are()
    {
        using var x = Images(2, 8, 4);
        using var g = new Generator(1);
        using var y = Augmentation.Apply(x, AugmentationOptions.None, g);
        Assert.Equal(0f, (y - x).abs().max().item<float>());
    }

    [Fact]
    public void Per_image_normalisation_on_tensors_matches_the_array_version()
    {
        using var x = Images(2, 5, 6);
        using var t = Augmentation.Normalize(x, Normalization.PerImage);
        float[] arr = x[1].contiguous().data<float>().ToArray();
        Normalization.PerImage.ApplyInPlace(arr);
        float[] fromTensor = t[1].contiguous().data<float>().ToArray();
        for (int i = 0; i < arr.Length; i++) Assert.Equal(arr[i], fromTensor[i], 1e-4f);
    }
}
