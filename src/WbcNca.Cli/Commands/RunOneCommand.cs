using System.CommandLine;
using System.Runtime.InteropServices;
using WbcNca.Runs;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca run-one DIR --index I</c>: trains and evaluates one entry of the experiment planned in DIR (what each
/// array task of <c>experiment --slurm</c> runs); SIGTERM (Slurm's time limit, scancel) stops it after the batch, to be
/// resumed by the next task.
/// </summary>
public static class RunOneCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var folder = new Argument<string>("experiment") { Description = "The experiment folder (it holds grid.json, written by 'wbc-nca experiment')" };
        var index = new Option<int>("--index") { Description = "The entry to run: its index in grid.json (the array task id)", Required = true };
        var threads = CommonOptions.Threads();
        var logPath = new Option<string?>("--log") { Description = "The log file this task writes to, recorded in the entry's status for the table" };
        var job = new Option<string?>("--job") { Description = "The Slurm job of this task, recorded in the entry's status" };
        var command = new Command("run-one", "Train and evaluate one entry of a planned experiment (what each Slurm array task runs)") { folder, index, threads, logPath, job };
        command.SetAction(parse =>
        {
            ExperimentGrid grid = ExperimentGrid.Load(parse.GetValue(folder)!);
            _ = grid.Entry(parse.GetValue(index));
            int n = parse.GetValue(threads) ?? Environment.ProcessorCount;
            if (n < 1) throw new WbcNcaException($"--threads must be ≥ 1 (got {n})");
            var dev = CommonOptions.Setup(grid.Device, n);
            var log = new ConsoleRunLog();
            using var cts = new CancellationTokenSource();
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                if (cts.IsCancellationRequested) return;
                cts.Cancel();
                log.Info($"{context.Signal}: stopping after this batch (the last completed epoch is kept; the next task resumes it)…");
            }
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            var result = new ExperimentRun(grid).ExecuteEntry(parse.GetValue(index), dev, log, cts.Token, n, parse.GetValue(logPath), parse.GetValue(job));
            return result is null ? 143 : 0;
        });
        return command;
    }
}
