using System.CommandLine;
using WbcNca.Runs;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca collect DIR</c>: the table of an experiment from whatever entries finished (grid.json in DIR), or the
/// joined parts of a sharded prediction with its differential counts (predict.json in DIR). The Slurm jobs of
/// <c>experiment --slurm</c> and <c>predict --slurm</c> end with it.
/// </summary>
public static class CollectCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "An experiment folder (grid.json) or a sharded prediction's folder (predict.json)" };
        var command = new Command("collect", "Tabulate an experiment from whatever finished, or join a sharded prediction's parts with their differential counts") { folder };
        command.SetAction(parse =>
        {
            string dir = parse.GetValue(folder)!;
            if (ExperimentGrid.TryLoad(dir) is { } grid)
            {
                var table = new ExperimentRun(grid).Collect();
                Console.Out.Write(table.ToMarkdown());
                Console.Error.WriteLine($"wrote {grid.TableMarkdown} and {grid.TableJson}" + (table.Missing.Count > 0 ? $"; {table.Missing.Count} of {grid.Entries.Count} entries have no result (rows marked in the table)" : ""));
                return 0;
            }
            if (ShardedPrediction.TryLoad(dir) is { } prediction)
            {
                return PredictCommand.Collect(prediction);
            }
            throw WbcNcaException.ForFile(dir, $"nothing to collect: neither an experiment ({ExperimentGrid.FileName}) nor a sharded prediction ({ShardedPrediction.FileName})");
        });
        return command;
    }
}
