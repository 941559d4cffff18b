using TorchSharp;
using static TorchSharp.torch;

namespace WbcNca.Training;

/// <summary>
/// Batch augmentation on tensors of images with values in [0, 1], shape (B, 3, S, S), before normalisation.
/// <para>
/// Geometry: one affine resampling per image (bilinear <c>grid_sample</c>) combines a uniform rotation in [0°, 360°)
/// with random horizontal and vertical flips and, when asked, a magnification about the centre (scale augmentation). Pixels that the rotation brings in from outside the square are filled by
/// <b>reflection</b> of the image: a blood-smear crop's border is background, so its mirror image continues it
/// without the hard edge a constant fill leaves (and without needing the dataset's background colour).
/// Colour: brightness, contrast, saturation, hue (a rotation of the YIQ chroma plane) and HED stain jitter
/// (optical density through the Ruifrok–Johnston H&amp;E&amp;DAB matrix), each per image, clamped to [0, 1].
/// Labels are never touched. Random numbers come from the given torch generator only.
/// </para>
/// </summary>
public static class Augmentation
{
    // Ruifrok & Johnston (2001) stain vectors (rows: haematoxylin, eosin, DAB), as skimage's rgb_from_hed.
    private static readonly float[,] RgbFromHed =
    {
        { 0.65f, 0.70f, 0.29f },
        { 0.07f, 0.99f, 0.11f },
        { 0.27f, 0.57f, 0.78f },
    };

    /// <summary>
    /// Augments a batch; returns a new tensor (B, 3, <paramref name="outputSize"/>, <paramref name="outputSize"/>), by
    /// default of the input's size. An output smaller than the input (a supersampled cache) is resampled by the same
    /// affine step; at half the input's size with no zoom, bilinear sampling averages each 2×2 block.
    /// </summary>
    public static Tensor Apply(Tensor images, AugmentationOptions options, Generator generator, int? outputSize = null)
    {
        using var scope = NewDisposeScope();
        Tensor x = images;
        bool resize = outputSize is int o && o != images.shape[3];
        if (options.Rotate || options.Flip || options.AnyZoom || resize) x = Geometric(x, options, generator, outputSize);
        if (options.TightCrop > 0) x = TightCrop(x, options.TightCrop, generator);
        if (options.AnyColor) x = Color(x, options, generator);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Rotation (any angle), flips and zoom, per image, with reflection fill.</summary>
    public static Tensor Geometric(Tensor images, AugmentationOptions options, Generator generator, int? outputSize = null)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0];
        Tensor angle = options.Rotate ? rand([b], generator: generator) * (2 * Math.PI) : zeros([b]);
        Tensor fx = options.Flip ? rand([b], generator: generator).lt(0.5).to_type(ScalarType.Float32) * -2 + 1 : ones([b]);
        Tensor fy = options.Flip ? rand([b], generator: generator).lt(0.5).to_type(ScalarType.Float32) * -2 + 1 : ones([b]);
        // Zoom factor log-uniform in [1, Zoom]; drawn last so runs without zoom keep their random sequence.
        Tensor? zoom = options.AnyZoom ? (rand([b], generator: generator) * Math.Log(options.Zoom)).exp() : null;
        return Affine(images, angle, fx, fy, zoom, outputSize).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Resamples each image i at the output grid mapped by rotation by <paramref name="angle"/>[i] (radians) after
    /// scaling x by <paramref name="fx"/>[i] and y by <paramref name="fy"/>[i] (±1 flips) and magnifying by
    /// <paramref name="zoom"/>[i] (≥ 1, none when null) about the centre, reflection fill, to an output of side
    /// <paramref name="outputSize"/> (the input's when null).
    /// </summary>
    public static Tensor Affine(Tensor images, Tensor angle, Tensor fx, Tensor fy, Tensor? zoom = null, int? outputSize = null)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0], side = outputSize ?? images.shape[3];
        Tensor c = angle.cos(), s = angle.sin(), z = zeros([b]);
        if (zoom is not null) { c = c / zoom; s = s / zoom; }
        // theta maps output coordinates to input coordinates: [R·F / zoom | 0].
        Tensor row0 = stack([c * fx, -s * fy, z], 1);
        Tensor row1 = stack([s * fx, c * fy, z], 1);
        Tensor theta = stack([row0, row1], 1).to(images.device);                        // (B, 2, 3)
        Tensor grid = nn.functional.affine_grid(theta, [b, images.shape[1], side, side], align_corners: false);
        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, align_corners: false)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Another lab's tight crop (<see cref="AugmentationOptions.TightCrop"/>): with probability <paramref name="probability"/>
    /// per image, everything outside a random centred square becomes the image's background colour.
    /// </summary>
    public static Tensor TightCrop(Tensor images, double probability, Generator generator)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0], side = images.shape[3];
        Tensor apply = rand([b], generator: generator).lt(probability);
        Tensor share = rand([b], generator: generator) * (AugmentationOptions.TightCropLargest - AugmentationOptions.TightCropSmallest) + AugmentationOptions.TightCropSmallest;
        Tensor cx = (rand([b], generator: generator) * 2 - 1) * AugmentationOptions.TightCropShift;
        Tensor cy = (rand([b], generator: generator) * 2 - 1) * AugmentationOptions.TightCropShift;
        // Pixel centres in [−½, ½] of the side; inside when within half the crop's side of its centre on both axes.
        Tensor at = (arange(side, dtype: ScalarType.Float32) + 0.5f) / side - 0.5f;
        Tensor half = (share / 2).view(b, 1);
        Tensor insideX = (at.view(1, side) - cx.view(b, 1)).abs().le(half);                  // (B, S)
        Tensor insideY = (at.view(1, side) - cy.view(b, 1)).abs().le(half);
        Tensor keep = insideY.unsqueeze(2).logical_and(insideX.unsqueeze(1)).logical_or(apply.logical_not().view(b, 1, 1)); // (B, S, S)
        // Background: the mean colour of each image's brightest 15 % (by grey value).
        Tensor gray = Gray(images).view(b, -1);
        Tensor cut = gray.quantile(tensor(0.85f), dim: 1, keepdim: true);
        Tensor bright = gray.ge(cut).to_type(ScalarType.Float32).view(b, 1, side, side);
        Tensor background = (images * bright).sum([2, 3], keepdim: true) / bright.sum([2, 3], keepdim: true).clamp_min(1);
        return where(keep.unsqueeze(1).to(images.device), images, background.expand_as(images)).MoveToOuterDisposeScope();
    }

    /// <summary>Colour and stain jitter, per image, clamped to [0, 1].</summary>
    public static Tensor Color(Tensor images, AugmentationOptions options, Generator generator)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0];
        Tensor Uniform(double half) => ((rand([b, 1, 1, 1], generator: generator) * 2 - 1) * half).to(images.device);
        Tensor x = images;
        if (options.Hed > 0) x = HedJitter(x, Uniform(options.Hed), Uniform(options.Hed), Uniform(options.Hed), Uniform(options.Hed), Uniform(options.Hed), Uniform(options.Hed));
        if (options.Brightness > 0) x = (x * (1 + Uniform(options.Brightness))).clamp(0, 1);
        if (options.Contrast > 0)
        {
            Tensor mean = Gray(x).mean([1, 2, 3], keepdim: true);
            x = ((x - mean) * (1 + Uniform(options.Contrast)) + mean).clamp(0, 1);
        }
        if (options.Saturation > 0)
        {
            Tensor gray = Gray(x);
            x = ((x - gray) * (1 + Uniform(options.Saturation)) + gray).clamp(0, 1);
        }
        if (options.Hue > 0) x = HueRotate(x, Uniform(options.Hue) * (2 * Math.PI)).clamp(0, 1);
        if (options.ColorMix > 0)
        {
            // Drawn last, so runs without colour mixing keep their random sequence.
            Tensor mix = eye(3).unsqueeze(0) + (rand([b, 3, 3], generator: generator) * 2 - 1) * options.ColorMix;   // (B, 3, 3)
            Tensor offset = ((rand([b, 3, 1, 1], generator: generator) * 2 - 1) * (options.ColorMix / 2)).to(images.device);
            x = (einsum("bij,bjhw->bihw", mix.to(images.device), x - 0.5) + 0.5 + offset).clamp(0, 1);
        }
        return x.MoveToOuterDisposeScope();
    }

    private static Tensor Gray(Tensor x) =>
        x.narrow(1, 0, 1) * 0.299 + x.narrow(1, 1, 1) * 0.587 + x.narrow(1, 2, 1) * 0.114;   // (B, 1, S, S)

    /// <summary>Rotates the chroma of each image by <paramref name="radians"/> (B, 1, 1, 1) in YIQ space.</summary>
    public static Tensor HueRotate(Tensor x, Tensor radians)
    {
        using var scope = NewDisposeScope();
        Tensor r = x.narrow(1, 0, 1), g = x.narrow(1, 1, 1), bl = x.narrow(1, 2, 1);
        Tensor y = r * 0.299 + g * 0.587 + bl * 0.114;
        Tensor i = r * 0.596 - g * 0.274 - bl * 0.322;
        Tensor q = r * 0.211 - g * 0.523 + bl * 0.312;
        Tensor c = radians.cos(), s = radians.sin();
        Tensor i2 = i * c - q * s, q2 = i * s + q * c;
        Tensor r2 = y + i2 * 0.956 + q2 * 0.621;
        Tensor g2 = y - i2 * 0.272 - q2 * 0.647;
        Tensor b2 = y - i2 * 1.106 + q2 * 1.703;
        return cat([r2, g2, b2], 1).MoveToOuterDisposeScope();
    }

    /// <summary>HED jitter: stain concentrations c' = c·(1 + α) + β per stain (α, β of shape (B, 1, 1, 1) each).</summary>
    public static Tensor HedJitter(Tensor x, Tensor aH, Tensor aE, Tensor aD, Tensor bH, Tensor bE, Tensor bD)
    {
        using var scope = NewDisposeScope();
        var m = new float[9];
        for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) m[3 * r + c] = RgbFromHed[r, c];
        Tensor rgbFromHed = tensor(m, [3, 3]).to(x.device);
        Tensor norm = rgbFromHed.pow(2).sum(1, keepdim: true).sqrt();
        rgbFromHed = rgbFromHed / norm;                                                   // unit stain vectors
        Tensor hedFromRgb = linalg.inv(rgbFromHed);
        const double eps = 1e-6;
        Tensor od = -(x.clamp_min(eps)).log();                                            // (B, 3, S, S) optical density
        Tensor odLast = od.permute(0, 2, 3, 1);                                           // (B, S, S, 3)
        Tensor hed = odLast.matmul(hedFromRgb);                                           // (B, S, S, 3) stain amounts
        Tensor alpha = cat([aH, aE, aD], 3);                                              // (B, 1, 1, 3)
        Tensor beta = cat([bH, bE, bD], 3);
        hed = hed * (1 + alpha) + beta;
        Tensor back = hed.matmul(rgbFromHed);                                             // (B, S, S, 3)
        return (-back).exp().permute(0, 3, 1, 2).clamp(0, 1).contiguous().MoveToOuterDisposeScope();
    }
}
