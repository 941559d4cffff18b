using System.CommandLine;
using WbcNca.Cli.Commands;

namespace WbcNca.Cli;

/// <summary>The <c>wbc-nca</c> command line: the root command with every command under it.</summary>
public static class WbcNcaRoot
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("wbc-nca: neural cellular automata that classify white blood cell images (Deutges et al., MICCAI 2024)");
        root.Subcommands.Add(ImportTorchCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        root.Subcommands.Add(RunOneCommand.Create());
        root.Subcommands.Add(CollectCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        root.Subcommands.Add(ExportOnnxCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(AdaptCommand.Create());
        root.Subcommands.Add(CalibrateCommand.Create());
        root.Subcommands.Add(ReviewsCommand.Create());
        root.Subcommands.Add(UsersCommand.Create());
        return root;
    }
}
