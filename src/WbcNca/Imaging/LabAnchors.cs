namespace WbcNca.Imaging;

/// <summary>
/// A lab's typical anchor colours, as <see cref="CellLocator"/> measures them in each image: the per-channel medians of
/// the background, the nucleus and the red-cell colours over images where each was found. The references of the colour
/// mappings (<see cref="Preprocessing.ReferenceBackground"/>, <see cref="Preprocessing.ReferenceNucleus"/>,
/// <see cref="Preprocessing.ReferenceRedCell"/>) are Acevedo-20's, measured this way (<c>wbc-nca stats</c> writes them).
/// </summary>
/// <param name="Background">Median background colour (RGB in [0, 1]).</param>
/// <param name="Nucleus">Median nucleus colour over images with a nucleus.</param>
/// <param name="RedCell">Median red-cell colour over images with one (null when none had).</param>
/// <param name="Images">Images measured.</param>
/// <param name="CellImages">Images with a nucleus.</param>
/// <param name="RedCellImages">Images with a red-cell colour.</param>
public sealed record LabAnchors(IReadOnlyList<float> Background, IReadOnlyList<float> Nucleus, IReadOnlyList<float>? RedCell, int Images, int CellImages, int RedCellImages)
{
    /// <summary>The anchors of the located images (at least one).</summary>
    public static LabAnchors From(IReadOnlyList<CellLocation> locations)
    {
        ArgumentNullException.ThrowIfNull(locations);
        if (locations.Count == 0) throw new ArgumentException("no image to measure", nameof(locations));
        var cells = locations.Where(l => l.CellFound).ToArray();
        var red = cells.Where(l => l.RedCell is not null).Select(l => l.RedCell!).ToArray();
        float[] background = Median(locations.Select(l => l.Background).ToArray())!;
        return new LabAnchors(background, Median(cells.Select(l => l.Nucleus).ToArray()) ?? background, Median(red), locations.Count, cells.Length, red.Length);
    }

    /// <summary>Locates the cell in each of <paramref name="files"/> (decoded, in parallel) and measures their anchors.</summary>
    /// <param name="files">Readable images of one lab.</param>
    /// <param name="threads">Parallel decodes.</param>
    /// <param name="advance">Called after each image (progress).</param>
    public static LabAnchors Measure(IReadOnlyList<string> files, int threads, Action? advance = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var locations = new CellLocation[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
        {
            locations[i] = CellLocator.Locate(ImageDecoder.Decode8(files[i]));
            advance?.Invoke();
        });
        return From(locations);
    }

    /// <summary>Reads the <c>anchors</c> of a lab file written by <c>wbc-nca stats</c>.</summary>
    /// <exception cref="ArgumentException">The file cannot be read or holds no anchors (one line, naming it).</exception>
    public static LabAnchors Load(string path)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            var a = doc.RootElement.GetProperty("anchors");
            float[]? Colour(string key)
            {
                if (!a.TryGetProperty(key, out var e) || e.ValueKind == System.Text.Json.JsonValueKind.Null) return null;
                float[] v = e.EnumerateArray().Select(x => x.GetSingle()).ToArray();
                if (v.Length != 3 || v.Any(x => !(x >= 0 && x <= 1))) throw new FormatException($"'{key}' needs 3 values in [0, 1]");
                return v;
            }
            int Count(string key) => a.TryGetProperty(key, out var e) ? e.GetInt32() : 0;
            float[] background = Colour("background") ?? throw new KeyNotFoundException("no background colour");
            return new LabAnchors(background, Colour("nucleus") ?? background, Colour("red_cell"), Count("images"), Count("cell_images"), Count("red_cell_images"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"{path}: not a lab file with anchor colours from 'wbc-nca stats' ({e.Message.TrimEnd('.')})", e);
        }
    }

    private static float[]? Median(IReadOnlyList<IReadOnlyList<float>> colours)
    {
        if (colours.Count == 0) return null;
        var result = new float[3];
        for (int c = 0; c < 3; c++)
        {
            float[] v = colours.Select(x => x[c]).Order().ToArray();
            result[c] = v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        }
        return result;
    }

    /// <summary>The stored form (JSON object with snake_case keys).</summary>
    public Dictionary<string, object?> ToJsonObject() => new()
    {
        ["background"] = Background,
        ["nucleus"] = Nucleus,
        ["red_cell"] = RedCell,
        ["images"] = Images,
        ["cell_images"] = CellImages,
        ["red_cell_images"] = RedCellImages,
    };

    /// <summary>One line for people.</summary>
    public override string ToString() => $"background {Rgb(Background)}, nucleus {Rgb(Nucleus)} ({CellImages} of {Images} images), red cells {(RedCell is null ? "none" : Rgb(RedCell))} ({RedCellImages} images)";

    private static string Rgb(IReadOnlyList<float> c) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"({c[0]:0.0000}, {c[1]:0.0000}, {c[2]:0.0000})");
}
