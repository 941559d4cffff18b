using WbcNca.Data;
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
        using var t = Normalization.PerImage.ApplyTo(x);
        float[] arr = x[1].contiguous().data<float>().ToArray();
        Normalization.PerImage.ApplyInPlace(arr);
        float[] fromTensor = t[1].contiguous().data<float>().ToArray();
        for (int i = 0; i < arr.Length; i++) Assert.Equal(arr[i], fromTensor[i], 1e-4f);
    }

    /// <summary>A (1, 3, s, s) image: 1 inside a centred disc of the given radius (pixels), 0 outside.</summary>
    private static Tensor CentredDisc(int s, double radius)
    {
        var px = new float[3 * s * s];
        double c = (s - 1) / 2.0;
        for (int ch = 0; ch < 3; ch++)
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++)
                    px[(ch * s + y) * s + x] = (x - c) * (x - c) + (y - c) * (y - c) <= radius * radius ? 1f : 0f;
        return tensor(px, [1, 3, s, s]);
    }

    [Fact]
    public void Zooming_by_two_doubles_the_diameter_of_a_centred_cell()
    {
        using var x = CentredDisc(32, 6);
        using var zoomed = Augmentation.Affine(x, zeros(1), ones(1), ones(1), zoom: tensor(new float[] { 2f }));
        double before = x[0, 0].sum().item<float>(), after = zoomed[0, 0].sum().item<float>();
        Assert.InRange(after / before, 3.6, 4.4);   // area grows with the square of the magnification
        Assert.Equal(1f, zoomed[0, 0, 15, 15].item<float>(), 1e-5f);
    }

    [Fact]
    public void A_supersampled_image_without_zoom_is_averaged_down_by_two_by_two_blocks()
    {
        using var x = Images(2, 16, 7);
        using var down = Augmentation.Affine(x, zeros(2), ones(2), ones(2), outputSize: 8);
        using var blocks = nn.functional.avg_pool2d(x, 2);
        Assert.Equal(new long[] { 2, 3, 8, 8 }, down.shape);
        Assert.True(down.allclose(blocks, atol: 1e-5), "2:1 bilinear sampling should be the 2×2 mean");
    }

    [Fact]
    public void Zoom_augmentation_magnifies_each_image_by_its_own_factor_within_the_range()
    {
        using var one = CentredDisc(32, 5);
        using var x = one.expand(64, 3, 32, 32).contiguous();
        using var g = new Generator(11);
        var zoomOnly = new AugmentationOptions(Rotate: false, Flip: false, Zoom: 2.5);
        using var y = Augmentation.Apply(x, zoomOnly, g);
        double area = one[0, 0].sum().item<float>();
        var ratios = Enumerable.Range(0, 64).Select(i => y[i, 0].sum().item<float>() / area).ToArray();
        Assert.All(ratios, r => Assert.InRange(r, 0.85, 2.5 * 2.5 * 1.15));
        Assert.True(ratios.Max() - ratios.Min() > 2, $"factors should vary (ratios {ratios.Min():0.00}..{ratios.Max():0.00})");
    }

    [Fact]
    public void A_batch_from_a_supersampled_cache_has_the_model_size_and_the_cached_labels()
    {
        int s = 16;
        var data = new float[4 * 3 * s * s];
        var rng = new Random(5);
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextDouble();
        var cache = ImageCache.FromArrays(s, data, [3, 1, 4, 1]);
        using var g = new Generator(2);
        var (images, labels) = Trainer.MakeBatch(cache, [2, 0], new AugmentationOptions(Zoom: 2), ImageCache.Identity, g, outputSize: 8);
        Assert.Equal(new long[] { 2, 3, 8, 8 }, images.shape);
        Assert.Equal(new long[] { 4, 3 }, labels.data<long>().ToArray());
        Assert.Equal(2, Trainer.SupersampleFactor(new AugmentationOptions(Zoom: 2)));
        Assert.Equal(1, Trainer.SupersampleFactor(new AugmentationOptions()));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(4.5)]
    public void A_zoom_outside_one_to_four_is_refused(double zoom)
    {
        var e = Assert.Throws<ArgumentException>(() => new AugmentationOptions(Zoom: zoom).Validate());
        Assert.Contains("zoom", e.Message);
    }

    [Fact]
    public void A_tight_crop_keeps_a_centred_square_and_paints_the_rest_with_the_images_background()
    {
        // 8 images of 40 px: background (0.9, 0.8, 0.7), a dark cell of radius 8 in the middle.
        const int b = 8, s = 40;
        var data = new float[b * 3 * s * s];
        float[] bg = [0.9f, 0.8f, 0.7f];
        for (int i = 0; i < b; i++)
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < s; y++)
                    for (int x = 0; x < s; x++)
                    {
                        bool cell = (x - 19.5) * (x - 19.5) + (y - 19.5) * (y - 19.5) < 64;
                        // A pattern off the cell (texture of red cells) that a crop must erase.
                        data[((i * 3 + c) * s + y) * s + x] = cell ? 0.3f : bg[c] - ((x + y) % 2 == 0 ? 0.2f : 0);
                    }
        using var images = tensor(data, [b, 3, s, s]);
        using var g = new Generator(7);
        using var cropped = Augmentation.TightCrop(images, 1.0, g);
        float[] o = cropped.data<float>().ToArray();
        float At(int i, int c, int y, int x) => o[((i * 3 + c) * s + y) * s + x];
        for (int i = 0; i < b; i++)
        {
            // The cell (inside the smallest crop, 55 % of 40 = 22 px, shifted by at most 2 px) is untouched.
            Assert.Equal(0.3f, At(i, 0, 20, 20));
            Assert.Equal(0.3f, At(i, 2, 14, 20));
            // Corners are the background colour: the mean of the brightest 15 % (pure background pixels here).
            for (int c = 0; c < 3; c++) Assert.Equal(bg[c], At(i, c, 0, 0), 4);
            // Along the middle row the pattern survives only inside the kept square, whose side is 55–95 % of 40 px.
            int[] patterned = Enumerable.Range(0, s).Where(x => Math.Abs(At(i, 1, 20, x) - (bg[1] - 0.2f)) < 1e-4).ToArray();
            int extent = patterned.Max() - patterned.Min() + 1;
            Assert.InRange(extent, 22 - 2, 38 + 1);
            Assert.All(Enumerable.Range(0, s).Where(x => x < patterned.Min() || x > patterned.Max()), x => Assert.Equal(bg[1], At(i, 1, 20, x), 4));
        }
        // Probability 0 leaves every image as it was.
        using var g0 = new Generator(7);
        using var same = Augmentation.TightCrop(images, 0.0, g0);
        Assert.Equal(0f, (same - images).abs().max().item<float>());
        Assert.Contains("tight-crop", Assert.Throws<ArgumentException>(() => new AugmentationOptions(TightCrop: 1.5).Validate()).Message);
    }
}
