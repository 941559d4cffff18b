using WbcNca.Data;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

/// <summary>
/// A whole microscope field built from real Acevedo-20 cells (the test is skipped without ../shared): one cell of each of
/// three types, each cut out around its nucleus and placed apart on a 640×480 field of the first cell's background colour
/// (<see cref="FieldMontage"/>).
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
        // Each type's images in the reader's order: the first whose locator sees one white cell is used.
        var placements = Placement.Select(p => new FieldMontage.Placement(
            items.Where(i => i.RelativePath.StartsWith(p.Type + "/", StringComparison.Ordinal)).Select(i => i.Path), p.X, p.Y)).ToList();
        FieldMontage field = FieldMontage.Build(Width, Height, placements);
        return (field.Field, field.Centres.ToArray());
    }
}
