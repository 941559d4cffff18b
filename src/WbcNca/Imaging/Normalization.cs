using System.Globalization;
using System.Text.Json;
using static TorchSharp.torch;

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

    /// <summary>
    /// Parses a known name (case-insensitive), or reads a statistics file (a path ending in <c>.json</c>, as
    /// <c>wbc-nca stats</c> writes it: name, mean, std).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, or a statistics file that cannot be read.</exception>
    public static Normalization Parse(string name) => name.Trim().EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? Load(name.Trim()) : name.Trim().ToLowerInvariant() switch
    {
        "acevedo20" => Acevedo20,
        "matek19" => Matek19,
        "int20" => Int20,
        "image" => PerImage,
        "gray" or "grey" => GrayPerImage,
        _ => throw new ArgumentException($"unknown normalisation '{name}' (expected one of: {string.Join(", ", KnownNames)})"),
    };

    /// <summary>Statistics measured over images: per-channel mean and (population) standard deviation of planar RGB data.</summary>
    /// <param name="name">Name to store (e.g. the lab's).</param>
    /// <param name="images">Planar images (3·S·S values each), back to back.</param>
    /// <param name="imageLength">Values per image.</param>
    public static Normalization Measure(string name, ReadOnlySpan<float> images, int imageLength)
    {
        if (imageLength % 3 != 0 || images.Length == 0 || images.Length % imageLength != 0)
            throw new ArgumentException("expected whole planar RGB images");
        int plane = imageLength / 3;
        var mean = new float[3];
        var std = new float[3];
        for (int c = 0; c < 3; c++)
        {
            double s = 0, s2 = 0;
            long n = 0;
            for (int start = c * plane; start < images.Length; start += imageLength, n += plane)
                foreach (float v in images.Slice(start, plane)) { s += v; s2 += (double)v * v; }
            double m = s / n;
            mean[c] = (float)m;
            std[c] = (float)Math.Max(Math.Sqrt(Math.Max(s2 / n - m * m, 0)), MinStd);
        }
        return new Normalization(name, mean, std);
    }

    /// <summary>Reads a statistics file (JSON with name, mean and std).</summary>
    /// <exception cref="ArgumentException">The file cannot be read or is not a statistics file (one line, naming it).</exception>
    public static Normalization Load(string path)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = doc.RootElement;
            float[] mean = root.GetProperty("mean").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            float[] std = root.GetProperty("std").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            string name = root.TryGetProperty("name", out JsonElement n) && n.GetString() is string s && s.Length > 0 ? s : Path.GetFileNameWithoutExtension(path);
            if (mean.Length != 3 || std.Length != 3 || std.Any(v => !(v > 0)) || mean.Any(v => !float.IsFinite(v)))
                throw new ArgumentException("needs 3 finite means and 3 positive standard deviations");
            return new Normalization(name, mean, std);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ArgumentException($"{path}: not a statistics file ({e.Message.TrimEnd('.')})", e);
        }
    }

    /// <summary>The statistics file's JSON (name, mean, std) plus any extra facts.</summary>
    public string ToJson(IReadOnlyDictionary<string, object>? extra = null)
    {
        var o = new Dictionary<string, object> { ["name"] = Name, ["mean"] = Mean, ["std"] = Std };
        if (extra is not null) foreach (var (k, v) in extra) o[k] = v;
        return JsonSerializer.Serialize(o, new JsonSerializerOptions { WriteIndented = true });
    }

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

    /// <summary>
    /// The statistics that normalise as this one does and then scale each channel by <paramref name="gain"/> and shift it
    /// by <paramref name="offset"/>: (r − m)/s · g + o = (r − m′)/s′ with s′ = s/g and m′ = m − o·s′. Named with
    /// <paramref name="suffix"/> appended (once).
    /// </summary>
    /// <exception cref="InvalidOperationException">Per-image normalisation (no fixed statistics to fold into).</exception>
    /// <exception cref="ArgumentException">Not one positive, finite gain and one finite offset per channel.</exception>
    public Normalization WithGainAndOffset(IReadOnlyList<float> gain, IReadOnlyList<float> offset, string suffix)
    {
        if (IsPerImage) throw new InvalidOperationException($"per-image normalisation has no statistics to fold a gain into ({this})");
        if (gain.Count != Mean.Count || offset.Count != Mean.Count || gain.Any(g => !(g > 0) || !float.IsFinite(g)) || offset.Any(o => !float.IsFinite(o)))
            throw new ArgumentException($"needs {Mean.Count} positive gains and {Mean.Count} finite offsets");
        float[] std = Std.Select((s, c) => s / gain[c]).ToArray();
        float[] mean = Mean.Select((m, c) => m - offset[c] * std[c]).ToArray();
        return new Normalization(Name.EndsWith(suffix, StringComparison.Ordinal) ? Name : Name + suffix, mean, std);
    }

    /// <summary>Human-readable one-line description.</summary>
    public override string ToString() => IsGray ? "gray (luminance, per-image mean/std)" : IsPerImage
        ? "image (per-image mean/std)"
        : string.Create(CultureInfo.InvariantCulture, $"{Name} (mean {string.Join("/", Mean.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))}, std {string.Join("/", Std.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))})");

    /// <summary>
    /// Normalises a batch (B, 3, S, S) of [0, 1] images: by fixed per-channel statistics, or per image by its own
    /// per-channel mean and (population) standard deviation, at least <see cref="MinStd"/>,
    /// as <see cref="ApplyInPlace"/> does on arrays. Used by training and by evaluation.
    /// </summary>
    public Tensor ApplyTo(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor result;
        if (IsGray)
        {
            var w = LumaWeights;
            x = (x.narrow(1, 0, 1) * w[0] + x.narrow(1, 1, 1) * w[1] + x.narrow(1, 2, 1) * w[2]).expand(-1, 3, -1, -1);   // (B, 1, S, S) → (B, 3, S, S)
        }
        if (IsPerImage)
        {
            Tensor mean = x.mean([2, 3], keepdim: true);
            Tensor std = (x.pow(2).mean([2, 3], keepdim: true) - mean.pow(2)).clamp_min(0).sqrt().clamp_min(MinStd);
            result = (x - mean) / std;
        }
        else
        {
            Tensor mean = tensor(Mean.ToArray(), [1, 3, 1, 1]).to(x.device);
            Tensor std = tensor(Std.ToArray(), [1, 3, 1, 1]).to(x.device);
            result = (x - mean) / std;
        }
        return result.MoveToOuterDisposeScope();
    }
}
