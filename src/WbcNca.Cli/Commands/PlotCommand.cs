using System.CommandLine;
using System.Globalization;
using WbcNca.Reporting;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca plot --csv F --out P</c>: plots mean ± std of a metric against a setting (CSV lines x,mean,std), e.g. accuracy against channels.</summary>
public static class PlotCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var csv = new Option<string>("--csv") { Description = "CSV with lines x,mean,std (a header line is skipped)", Required = true };
        var output = CommonOptions.Out("PNG file");
        var xLabel = new Option<string>("--x-label") { Description = "Label of the x axis", DefaultValueFactory = _ => "channels n" };
        var yLabel = new Option<string>("--y-label") { Description = "Label of the y axis", DefaultValueFactory = _ => "accuracy" };
        var title = new Option<string>("--title") { Description = "Plot title", DefaultValueFactory = _ => "" };
        var command = new Command("plot", "Plot a metric (mean ± std) against a setting from a CSV") { csv, output, xLabel, yLabel, title };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(csv)!;
            if (!File.Exists(path)) throw WbcNcaException.ForFile(path, "CSV not found");
            var points = new List<(double, double, double)>();
            foreach (string line in File.ReadLines(path))
            {
                string[] f = line.Split(',');
                if (f.Length < 2 || !double.TryParse(f[0], CultureInfo.InvariantCulture, out double x)) continue;
                double mean = double.Parse(f[1], CultureInfo.InvariantCulture);
                double std = f.Length > 2 && double.TryParse(f[2], CultureInfo.InvariantCulture, out double s) ? s : 0;
                points.Add((x, mean, std));
            }
            if (points.Count == 0) throw WbcNcaException.ForFile(path, "no data line (x,mean,std)");
            Plots.MetricAgainst(points, parse.GetValue(xLabel)!, parse.GetValue(yLabel)!, parse.GetValue(output)!, parse.GetValue(title)!);
            return 0;
        });
        return command;
    }
}
