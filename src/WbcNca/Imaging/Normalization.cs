using System.Globalization;

namespace WbcNca.Imaging;

/// <summary>
/// How RGB values in [0, 1] are normalised before they enter the model: either with fixed per-channel
/// statistics of a dataset (as the paper's reference code does) or per image (<c>image</c>: each image's
/// own per-channel mean and standard deviation, which needs no statistics of the target domain), or as a grey image
/// (<c>gray</c>: the luminance 0.299 R + 0.587 G + 0.114 B in all three channels, normalised per image), which leaves
/// the model no colour to rely on — colour is what differs most between labs' stains, lamps and cameras.
/// </summary>
/// <param name="Name">Identifier stored in checkpoints: acevedo20, matek19, int20, image, gray, or custom.</param>
/// <param name="Mean">Per-channel RGB mean (empty for per-image normalisation).</param>
/// <param name="Std">Per-channel RGB standard deviation (empty for per-image normalisation).</param>
public sealed record Normalization(string Name, IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    /// <summary>Acevedo-20 statistics used by the paper's reference code.</summary>
    public static Normalization Acevedo20 { get; } = new("acevedo20", [0.8746204f, 0.7487587f, 0.7203138f], [0.15061052f, 0.17617777f, 0.07467376f]);

    /// <summary>Matek-19 statistics used by the paper's reference code.</summary>
    public static Normalization Matek19 { get; } = new("matek19", [0.82069695f, 0.7281261f, 0.836143f], [0.16157213f, 0.2490039f, 0.09052657f]);

    /// <summary>INT-20 statistics used by the paper's reference code.</summary>
    public static Normalization Int20 { get; } = new("int20", [0.74053776f, 0.6514114f, 0.7785342f], [0.18301032f, 0.24672535f, 0.16100405f]);

    /// <summary>Per-image normalisation: each image by its own per-channel mean and standard deviation.</summary>
    public static Normalization PerImage { get; } = new("image", [], []);

    /// <summary>Grey-level input: the luminance in all three channels, then per-image normalisation.</summary>
    public static Normalization GrayPerImage { get; } = new("gray", [], []);

    /// <summary>Names accepted by <see cref="Parse"/>.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["acevedo20", "matek19", "int20", "image", "gray"];

    /// <summary>True for per-image normalisation (also of grey-level input).</summary>
    public bool IsPerImage => Mean.Count == 0;

    /// <summary>True when the colour is replaced by the luminance before normalising.</summary>
    public bool IsGray => Name == "gray";

    /// <summary>Luminance weights of R, G, B (ITU-R BT.601, as PIL's <c>convert("L")</c>).</summary>
    public static IReadOnlyList<float> LumaWeights { get; } = [0.299f, 0.587f, 0.114f];

    /// <summary>Smallest standard deviation used when normalising per image (avoids division by zero on flat images).</summary>
    public const float MinStd = 1e-3f;

    /// <summary>Parses a known name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Normalization Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "acevedo20" => Acevedo20,
        "matek19" => Matek19,
        "int20" => Int20,
        "image" => PerImage,
        "gray" or "grey" => GrayPerImage,
        _ => throw new ArgumentException($"unknown normalisation '{name}' (expected one of: {string.Join(", ", KnownNames)})"),
    };

    /// <summary>
    /// Normalises planar RGB data (layout C×H×W, values in [0, 1]) in place.
    /// </summary>
    public void ApplyInPlace(Span<float> chw, int channels = 3)
    {
        int plane = chw.Length / channels;
        if (IsGray && channels == 3)
        {
            Span<float> r = chw[..plane], g = chw.Slice(plane, plane), b = chw.Slice(2 * plane, plane);
            for (int i = 0; i < plane; i++) r[i] = LumaWeights[0] * r[i] + LumaWeights[1] * g[i] + LumaWeights[2] * b[i];
            r.CopyTo(g);
            r.CopyTo(b);
        }
        for (int c = 0; c < channels; c++)
        {
            Span<float> p = chw.Slice(c * plane, plane);
            float mean, std;
            if (IsPerImage)
            {
                double s = 0, s2 = 0;
                foreach (float v in p) { s += v; s2 += (double)v * v; }
                double m = s / plane;
                mean = (float)m;
                std = (float)Math.Max(Math.Sqrt(Math.Max(s2 / plane - m * m, 0)), MinStd);
            }
            else
            {
                mean = Mean[c];
                std = Std[c];
            }
            // Divide (not multiply by 1/std) so that the result equals torchvision's Normalize bit for bit.
            for (int i = 0; i < p.Length; i++) p[i] = (p[i] - mean) / std;
        }
    }

    /// <summary>Human-readable one-line description.</summary>
    public override string ToString() => IsGray ? "gray (luminance, per-image mean/std)" : IsPerImage
        ? "image (per-image mean/std)"
        : string.Create(CultureInfo.InvariantCulture, $"{Name} (mean {string.Join("/", Mean.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))}, std {string.Join("/", Std.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))})");
}
