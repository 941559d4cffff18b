using System.CommandLine;
using WbcNca.Runs;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca train --data DIR --out RUN [--arch nca|resnext50|resnet18|aecfe]</c>: trains a classifier on one fold of a stratified k-fold split.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var o = new TrainCliOptions();
        var command = new Command("train", "Train an NCA classifier or a baseline (stratified k-fold, validation-selected best epoch, resumable)");
        o.AddTo(command);
        var onBad = CommonOptions.OnBadImage();
        command.Options.Add(onBad);
        command.SetAction(parse =>
        {
            // Every option is checked before libtorch starts and before the data set is scanned.
            var run = o.Read(parse) with { SkipBadImages = CommonOptions.SkipBadImages(parse, onBad) };
            run.RefuseToOverwrite();   // before libtorch starts and the data set is scanned
            var dev = CommonOptions.Setup(parse.GetValue(o.Device)!, parse.GetValue(o.Threads));
            var view = new ConsoleRunLog();
            using var cts = new CancellationTokenSource();
            ConsoleCancelEventHandler handler = (_, e) => { e.Cancel = true; cts.Cancel(); view.Info("stopping after this batch (the last completed epoch is kept; --resume continues)…"); };
            Console.CancelKeyPress += handler;
            try
            {
                var outcome = TrainingRun.Execute(run, dev, view, cts.Token);
                return outcome.Completed ? 0 : 130;
            }
            finally
            {
                Console.CancelKeyPress -= handler;
            }
        });
        return command;
    }
}
