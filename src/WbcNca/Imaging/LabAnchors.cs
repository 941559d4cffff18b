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
