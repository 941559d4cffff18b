namespace WbcNca.Imaging;

/// <summary>
/// A whole microscope field put together from single-cell images, for demonstrations and tests (not for training or
/// measurement): each cell is cut out around its nucleus (a square of <see cref="SquareFactor"/> nucleus extents) and
/// placed on a field of the first cell's background colour. The tests' whole-field cases and the page's screenshots
/// (<c>bench/web/screenshots.sh</c>) use it with real Acevedo-20 cells.
/// </summary>
/// <param name="Field">The field.</param>
/// <param name="Centres">Where each cell's nucleus centre went, in field pixels, in placement order.</param>
/// <param name="Sources">The image used for each placement, in placement order.</param>
public sealed record FieldMontage(Rgb8Image Field, IReadOnlyList<(int X, int Y)> Centres, IReadOnlyList<string> Sources)
{
    /// <summary>Side of the square cut around a cell, in nucleus extents.</summary>
    public const double SquareFactor = 2.2;

    /// <summary>One cell to place: the images to choose it from and where its cut-out's centre goes.</summary>
    /// <param name="Candidates">Image files, in the order they are tried: the first in which the locator finds exactly one white cell is used.</param>
    /// <param name="X">Centre of the cut-out, in field pixels.</param>
    /// <param name="Y">Centre of the cut-out, in field pixels.</param>
    public sealed record Placement(IEnumerable<string> Candidates, int X, int Y);

    /// <summary>Builds a <paramref name="width"/>×<paramref name="height"/> field with one cell per placement.</summary>
    /// <exception cref="WbcNcaException">No candidate of a placement holds exactly one white cell, or a cut-out does not fit on the field.</exception>
    public static FieldMontage Build(int width, int height, IReadOnlyList<Placement> placements)
    {
        var pixels = new byte[3 * width * height];
        var centres = new List<(int, int)>();
        var sources = new List<string>();
        foreach (Placement place in placements)
        {
            (string path, Rgb8Image cell, CellLocation at) = First(place.Candidates);
            if (centres.Count == 0)
            {
                byte[] fill = at.Background.Select(v => (byte)Math.Round(v * 255)).ToArray();
                for (int i = 0; i < width * height; i++) { pixels[3 * i] = fill[0]; pixels[3 * i + 1] = fill[1]; pixels[3 * i + 2] = fill[2]; }
            }
            CellLocation square = at with { Side = SquareFactor * at.Cell!.Extent };
            Rgb8Image cut = CellLocator.Crop(cell, square);
            int left = place.X - cut.Width / 2, top = place.Y - cut.Height / 2;
            if (left < 0 || top < 0 || left + cut.Width > width || top + cut.Height > height)
                throw new WbcNcaException($"{path}: the cell ({cut.Width}×{cut.Height}) placed at ({place.X}, {place.Y}) does not fit on a {width}×{height} field");
            for (int y = 0; y < cut.Height; y++)
                Array.Copy(cut.Pixels, 3 * y * cut.Width, pixels, 3 * ((top + y) * width + left), 3 * cut.Width);
            // Where the nucleus centre lands: its offset from the cut-out's centre is kept.
            centres.Add(((int)Math.Round(left + at.Cell.CenterX - square.Left), (int)Math.Round(top + at.Cell.CenterY - square.Top)));
            sources.Add(path);
        }
        return new FieldMontage(new Rgb8Image(width, height, pixels), centres.AsReadOnly(), sources.AsReadOnly());
    }

    private static (string Path, Rgb8Image Cell, CellLocation At) First(IEnumerable<string> candidates)
    {
        string? tried = null;
        foreach (string path in candidates)
        {
            tried ??= path;
            Rgb8Image cell = ImageDecoder.Decode8(path);
            CellLocation at = CellLocator.Locate(cell);
            if (at.CellFound && CellLocator.LocateAll(cell).Count == 1) return (path, cell, at);
        }
        throw new WbcNcaException(tried is null ? "field: a placement has no candidate images" : $"{tried}: neither it nor the images after it hold exactly one white cell");
    }
}
