using WbcNca.Data;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

/// <summary>
/// A whole microscope field built from real Acevedo-20 cells (the test is skipped without ../shared): one cell of each of
/// three types, each cut out around its nucleus and placed apart on a 640×480 field of the first cell's background colour.
/// </summary>
internal static class SyntheticField
{
    /// <summary>Side of the field.</summary>
    public const int Width = 640, Height = 480;

    // One cell of three types, placed apart on the field (centres in field pixels).
    private static readonly (string Type, int X, int Y)[] Placement = [("lymphocyte", 120, 150), ("eosinophil", 330, 330), ("neutrophil", 520, 140)];

    private static readonly Lazy<(Rgb8Image Field, (int X, int Y)[] Centres)> Built = new(Build);

    /// <summary>The field and where each cell's nucleus centre went (in the placement order: lymphocyte, eosinophil, neutrophil).</summary>
    public static (Rgb8Image Field, (int X, int Y)[] Centres) Make()
    {
        SharedData.Require(Path.Combine("data", "acevedo20"));
        return Built.Value;
    }

    /// <summary>The field as PNG bytes.</summary>
    public static byte[] Png() => TestImages.Png(Make().Field);

    /// <summary>True when <paramref name="p"/> lies in <paramref name="box"/> grown by <paramref name="margin"/> pixels.</summary>
    public static bool Inside((int X, int Y) p, CellCandidate box, double margin) =>
        p.X >= box.X - margin && p.X <= box.X + box.Width + margin && p.Y >= box.Y - margin && p.Y <= box.Y + box.Height + margin;

    private static (Rgb8Image Field, (int X, int Y)[] Centres) Build()
    {
        string root = SharedData.Require(Path.Combine("data", "acevedo20"));
        var items = DatasetReader.Open("acevedo20", root).Items;
        var pixels = new byte[3 * Width * Height];
        var centres = new List<(int, int)>();
        byte[]? fill = null;
        foreach (var (type, cx, cy) in Placement)
        {
            // The first image of the type (in the reader's order) whose locator sees one white cell.
            Rgb8Image cell = null!;
            CellLocation at = null!;
            foreach (var item in items.Where(i => i.RelativePath.StartsWith(type + "/", StringComparison.Ordinal)))
            {
                cell = ImageDecoder.Decode8(item.Path);
                at = CellLocator.Locate(cell);
                if (at.CellFound && CellLocator.LocateAll(cell).Count == 1) break;
            }
            fill ??= at.Background.Select(v => (byte)Math.Round(v * 255)).ToArray();
            if (centres.Count == 0)
                for (int i = 0; i < Width * Height; i++) { pixels[3 * i] = fill[0]; pixels[3 * i + 1] = fill[1]; pixels[3 * i + 2] = fill[2]; }
            // The cell with a margin of background: a square of 2.2 nucleus extents around its nucleus.
            CellLocation square = at with { Side = 2.2 * at.Cell!.Extent };
            Rgb8Image cut = CellLocator.Crop(cell, square);
            int left = cx - cut.Width / 2, top = cy - cut.Height / 2;
            for (int y = 0; y < cut.Height; y++)
                Array.Copy(cut.Pixels, 3 * y * cut.Width, pixels, 3 * ((top + y) * Width + left), 3 * cut.Width);
            // Where the nucleus centre lands: its offset from the cut's centre is kept.
            centres.Add(((int)Math.Round(left + at.Cell.CenterX - square.Left), (int)Math.Round(top + at.Cell.CenterY - square.Top)));
        }
        return (new Rgb8Image(Width, Height, pixels), centres.ToArray());
    }
}
