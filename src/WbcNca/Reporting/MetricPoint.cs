using System.Globalization;

namespace WbcNca.Reporting;

/// <summary>
/// One point of a metric against a setting (e.g. accuracy against channel count): mean ± std at X, in a named series
/// (e.g. one training budget; "" when the plot has one series).
/// </summary>
public sealed record MetricPoint(double X, double Mean, double Std, string Series = "")
{
    /// <summary>
    /// Reads CSV lines <c>x,mean[,std[,series]]</c>. A first line that does not start with a number is a header and is
    /// skipped; blank lines are skipped; any other line that does not parse is an error naming the file and line.
    /// </summary>
    public static IReadOnlyList<MetricPoint> ReadCsv(string path)
    {
        if (!File.Exists(path)) throw WbcNcaException.ForFile(path, "CSV not found");
        var points = new List<MetricPoint>();
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0) continue;
            string[] f = line.Split(',').Select(s => s.Trim().Trim('"')).ToArray();
            bool xOk = double.TryParse(f[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double x);
            if (!xOk && lineNumber == 1) continue;
            double mean = 0, std = 0;
            bool ok = xOk && x > 0 && f.Length is >= 2 and <= 4
                && double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out mean)
                && (f.Length < 3 || f[2].Length == 0 || double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out std));
            if (!ok) throw WbcNcaException.ForFile(path, $"line {lineNumber}: expected x,mean[,std[,series]] with x > 0 (got \"{line}\")");
            points.Add(new MetricPoint(x, mean, std, f.Length > 3 ? f[3] : ""));
        }
        if (points.Count == 0) throw WbcNcaException.ForFile(path, "no data line (x,mean[,std[,series]])");
        return points;
    }
}
