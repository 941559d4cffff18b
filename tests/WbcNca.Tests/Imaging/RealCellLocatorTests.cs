using System.Globalization;
using WbcNca.Data;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

/// <summary>The cell locator on real images of every shared set (skipped without ../shared).</summary>
public sealed class RealCellLocatorTests
{
    public static TheoryData<string, int, int> CheckedCentres()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Imaging", "Resources", "nucleus-centres.csv")))
        {
            if (line.StartsWith('#') || line.StartsWith("path,", StringComparison.Ordinal)) continue;
            string[] f = line.Split(',');
            data.Add(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture));
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(CheckedCentres))]
    public void The_frame_is_centred_on_the_nucleus_checked_by_eye(string relative, int x, int y)
    {
        string path = SharedData.Require(Path.Combine("data", relative));
        Rgb8Image image = ImageDecoder.Decode8(path);
        CellLocation loc = CellLocator.Locate(image, nucleusFactor: 2.4, redCells: 3.5);
        Assert.True(loc.CellFound);
        double tolerance = 0.08 * Math.Max(image.Width, image.Height);
        Assert.InRange(loc.CenterX, x - tolerance, x + tolerance);
        Assert.InRange(loc.CenterY, y - tolerance, y + tolerance);
        // The frame holds the nucleus with room for its cell: the nucleus spans a fifth to four fifths of the frame.
        Assert.InRange(x, loc.Left, loc.Left + loc.SidePixels - 1);
        Assert.InRange(y, loc.Top, loc.Top + loc.SidePixels - 1);
        Assert.InRange(loc.Cell!.Extent / loc.Side, 0.2, 0.87);
    }

    [SkippableTheory]
    [InlineData("jtsc", 0.3, 0.9)]
    [InlineData("bccd", 0.3, 0.95)]
    [InlineData("acevedo20", 0.15, 0.6)]
    public void A_cell_is_found_in_every_image_of_a_set_and_its_nucleus_share_of_the_image_is_plausible(string set, double low, double high)
    {
        string root = SharedData.Require(Path.Combine("data", set));
        var items = DatasetReader.Open(set == "acevedo20" ? "acevedo20" : "folder", root).Items;
        if (set == "acevedo20") items = items.Where((_, i) => i % 40 == 0).ToArray();   // a spread-out sample of about 360
        var shares = new List<double>();
        foreach (var item in items)
        {
            Rgb8Image image = ImageDecoder.Decode8(item.Path);
            CellLocation loc = CellLocator.Locate(image);
            Assert.True(loc.CellFound, $"no cell found in {item.RelativePath}");
            shares.Add(loc.Cell!.Extent / Math.Max(image.Width, image.Height));
        }
        shares.Sort();
        double median = shares[shares.Count / 2];
        Assert.InRange(median, low, high);
    }
}
