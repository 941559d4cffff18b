namespace WbcNca.Training;

/// <summary>
/// Which augmentations a training batch gets. Geometric ones (rotation by any angle, horizontal and vertical flips)
/// are on by default, like the paper's; the colour and stain ones (domain robustness) are off unless given a
/// strength. Strengths are the half-widths of uniform ranges: brightness 0.2 multiplies by a factor in [0.8, 1.2].
/// </summary>
/// <param name="Rotate">Rotate each image by a uniform angle in [0°, 360°).</param>
/// <param name="Flip">Flip each image horizontally and vertically, each with probability ½.</param>
/// <param name="Brightness">Multiply by a factor in [1 − b, 1 + b].</param>
/// <param name="Contrast">Scale the deviation from the image's mean grey by [1 − c, 1 + c].</param>
/// <param name="Saturation">Scale the deviation from each pixel's grey by [1 − s, 1 + s].</param>
/// <param name="Hue">Rotate the hue by up to ±h turns (YIQ chroma rotation).</param>
/// <param name="Hed">HED stain jitter: each stain's optical density scaled by [1 − σ, 1 + σ] and shifted by [−σ, σ] (Tellez et al. 2018).</param>
/// <param name="Zoom">
/// Scale augmentation: each image is magnified about its centre by a factor drawn log-uniformly from [1, z] (1 = off).
/// Cameras and microscopes differ in how many pixels a cell spans (an Acevedo-20 cell fills about a third of its field,
/// cells in other labs' crops most of it); zooming teaches the model those scales. The trainer samples zoomed images from
/// a copy of the data decoded at twice the model's resolution, so magnified cells keep their detail.
/// </param>
/// <param name="ColorMix">
/// Random colour mixing: each image's colours go through x ↦ M (x − ½) + ½ + o with M = I + E, every entry of E and of
/// the offset o uniform in [−m, m] (and o halved): a random linear stain per image, wider than hue and HED jitter can
/// reach (single-source generalisation by random colour transforms).
/// </param>
/// <param name="TightCrop">
/// Probability that an image is cut down as another lab's tight crop would be: only a centred square of
/// <see cref="TightCropSmallest"/>–<see cref="TightCropLargest"/> of its side (the centre shifted by up to
/// <see cref="TightCropShift"/> of the side) keeps its pixels, the rest becomes the image's background colour (the mean
/// of its brightest 15 %), as the locator fills a frame that leaves a tight crop. Acevedo-20's cells sit in wide fields
/// and are never cut; jtsc and bccd deliver crops that fill 0.77 and 0.64 of the framed square.
/// </param>
public sealed record AugmentationOptions(
    bool Rotate = true,
    bool Flip = true,
    double Brightness = 0,
    double Contrast = 0,
    double Saturation = 0,
    double Hue = 0,
    double Hed = 0,
    double Zoom = 1,
    double ColorMix = 0,
    double TightCrop = 0)
{
    /// <summary>Smallest side of a tight crop, as a share of the image's side.</summary>
    public const double TightCropSmallest = 0.55;

    /// <summary>Largest side of a tight crop, as a share of the image's side.</summary>
    public const double TightCropLargest = 0.95;

    /// <summary>Largest shift of a tight crop's centre, as a share of the image's side, along each axis.</summary>
    public const double TightCropShift = 0.05;

    /// <summary>No augmentation at all.</summary>
    public static AugmentationOptions None { get; } = new(Rotate: false, Flip: false);

    /// <summary>The domain-robustness preset: brightness 0.25, contrast 0.25, saturation 0.3, hue 0.05, HED 0.05, with rotation and flips.</summary>
    public static AugmentationOptions Stain { get; } = new(Brightness: 0.25, Contrast: 0.25, Saturation: 0.3, Hue: 0.05, Hed: 0.05);

    /// <summary>The largest allowed <see cref="Zoom"/>.</summary>
    public const double MaxZoom = 4;

    /// <summary>True when scale augmentation is on.</summary>
    public bool AnyZoom => Zoom > 1;

    /// <summary>True when any colour or stain change is on.</summary>
    public bool AnyColor => Brightness > 0 || Contrast > 0 || Saturation > 0 || Hue > 0 || Hed > 0 || ColorMix > 0;

    /// <summary>Throws <see cref="ArgumentException"/> for a strength out of range.</summary>
    public AugmentationOptions Validate()
    {
        foreach (var (name, v, max) in new[] { ("brightness", Brightness, 1.0), ("contrast", Contrast, 1.0), ("saturation", Saturation, 1.0), ("hue", Hue, 0.5), ("hed", Hed, 1.0), ("colour mix", ColorMix, 1.0) })
            if (!(v >= 0 && v <= max)) throw new ArgumentException($"{name} strength must be in [0, {max}] (got {v})");
        if (!(TightCrop >= 0 && TightCrop <= 1)) throw new ArgumentException($"tight-crop probability must be in [0, 1] (got {TightCrop})");
        if (!(Zoom >= 1 && Zoom <= MaxZoom)) throw new ArgumentException($"zoom must be in [1, {MaxZoom}] (got {Zoom})");
        return this;
    }
}
