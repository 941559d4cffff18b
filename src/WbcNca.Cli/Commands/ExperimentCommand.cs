using System.CommandLine;
using WbcNca.Evaluation;
using WbcNca.Runs;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca experiment</c>: the command line of an <see cref="ExperimentRun"/>.</summary>
public static class ExperimentCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var o = new TrainCliOptions();
        var seeds = new Option<string>("--seeds") { Description = "Training seeds: comma-separated or a range", DefaultValueFactory = _ => "1..5" };
        var evals = new Option<string[]>("--eval")
        {
            Description = "Another set to evaluate on, as KIND:PATH[:NORMALISATION] (e.g. folder:../shared/data/jtsc:image); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var maskSeeds = CommonOptions.MaskSeeds();
        var command = new Command("experiment", "Train with several seeds and tabulate in-domain and cross-domain results (mean ± std)");
        o.AddTo(command);
        command.Options.Add(seeds);
        command.Options.Add(evals);
        command.Options.Add(maskSeeds);
        var onBad = CommonOptions.OnBadImage();
        command.Options.Add(onBad);
        command.SetAction(parse =>
        {
            // Every option is checked before libtorch starts and before any data set is scanned.
            TrainingRun baseRun = o.Read(parse) with { SkipBadImages = CommonOptions.SkipBadImages(parse, onBad) };
            long[] trainSeeds = CommonOptions.ParseSeeds(parse.GetValue(seeds)!, "--seeds");
            long[] masks = CommonOptions.ParseSeeds(parse.GetValue(maskSeeds)!, "--mask-seeds");
            var others = (parse.GetValue(evals) ?? []).Select(ExperimentTarget.Parse).ToArray();
            var dev = CommonOptions.Setup(parse.GetValue(o.Device)!, parse.GetValue(o.Threads));
            ExperimentTable? table = new ExperimentRun(baseRun, trainSeeds, masks, others).Execute(dev, new ConsoleRunLog(), CancellationToken.None);
            if (table is null) return 130;
            Console.Out.Write(table.ToMarkdown());
            return 0;
        });
        return command;
    }
}
