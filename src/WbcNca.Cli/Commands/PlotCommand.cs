using System.CommandLine;
using WbcNca.Reporting;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca plot --csv F --out P</c>: plots mean ± std of a metric against a setting (CSV lines x,mean,std, optionally a series name), e.g. accuracy against channels.</summary>
public static class PlotCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var csv = new Option<string>("--csv") { Description = "CSV with lines x,mean[,std[,series]] (a header line is skipped); one line is drawn per series", Required = true };
        var output = CommonOptions.Out("PNG file");
        var xLabel = new Option<string>("--x-label") { Description = "Label of the x axis", DefaultValueFactory = _ => "channels n" };
        var yLabel = new Option<string>("--y-label") { Description = "Label of the y axis", DefaultValueFactory = _ => "accuracy" };
        var title = new Option<string>("--title") { Description = "Plot title", DefaultValueFactory = _ => "" };
        var command = new Command("plot", "Plot a metric (mean ± std) against a setting from a CSV") { csv, output, xLabel, yLabel, title };
        command.SetAction(parse =>
        {
            var points = MetricPoint.ReadCsv(parse.GetValue(csv)!);
            Plots.MetricAgainst(points, parse.GetValue(xLabel)!, parse.GetValue(yLabel)!, parse.GetValue(output)!, parse.GetValue(title)!);
            return 0;
        });
        return command;
    }
}
