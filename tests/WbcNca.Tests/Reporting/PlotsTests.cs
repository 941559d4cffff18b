using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Reporting;

namespace WbcNca.Tests.Reporting;

public class PlotsTests
{
    [Fact]
    public void The_confusion_heat_map_and_the_metric_plot_with_two_series_are_written_as_png_files()
    {
        string dir = Path.Combine(Path.GetTempPath(), "wbc-nca-plot-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var m = ConfusionMatrix.From(CellClasses.Coarse, [0, 1, 2, 3, 4, 4], [0, 1, 2, 3, 4, 5]);
            string a = Path.Combine(dir, "confusion.png"), b = Path.Combine(dir, "channels.png");
            Plots.Confusion(m, a, "test");
            Plots.MetricAgainst([new(8, 0.5, 0.02, "long"), new(16, 0.6, 0.01, "long"), new(32, 0.7, 0.03, "long"), new(8, 0.4, 0, "short"), new(32, 0.6, 0, "short")], "channels", "accuracy", b);
            foreach (string f in new[] { a, b })
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(f)[..4]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

public class MetricPointTests
{
    private static string Write(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), "wbc-nca-points-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_csv_with_a_header_gives_its_points_with_series_names_and_a_missing_std_as_zero()
    {
        string path = Write("channels,accuracy,std,schedule\n8,0.42,0.01,2 x 4000\n\n16,0.55,,\"5 x 8000\"\n32,0.6\n");
        try
        {
            var points = MetricPoint.ReadCsv(path);
            Assert.Equal([new MetricPoint(8, 0.42, 0.01, "2 x 4000"), new MetricPoint(16, 0.55, 0, "5 x 8000"), new MetricPoint(32, 0.6, 0)], points);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("8,0.4\n16,abc\n", "line 2")]
    [InlineData("8,0.4\n0,0.5\n", "line 2")]
    [InlineData("x,mean\n", "no data line")]
    [InlineData("x,mean\ny,z\n", "line 2")]
    public void A_line_that_does_not_parse_is_named_in_one_error_with_the_file(string text, string expected)
    {
        string path = Write(text);
        try
        {
            var e = Assert.Throws<WbcNcaException>(() => MetricPoint.ReadCsv(path));
            Assert.StartsWith(path + ":", e.Message);
            Assert.Contains(expected, e.Message);
        }
        finally { File.Delete(path); }
    }
}
