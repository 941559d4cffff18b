using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using WbcNca.Training;

namespace WbcNca.Cli;

/// <summary>
/// Shows training progress on stderr: on a terminal a line redrawn in place after every batch (epoch, batch, loss,
/// accuracy, images/s, ETA of the epoch and of the run, "estimating" while the first batches are timed); in a log a line
/// every 30 seconds; and one Spectre.Console line
/// per finished epoch with the validation figures.
/// </summary>
public sealed class TrainingView
{
    private readonly bool interactive = !Console.IsErrorRedirected;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly IAnsiConsole err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    private TimeSpan? last;

    /// <summary>Creates the view.</summary>
    public TrainingView() => err.Profile.Width = 240;

    /// <summary>Called after every batch.</summary>
    public void Batch(TrainingProgress p)
    {
        TimeSpan now = clock.Elapsed;
        if (last is TimeSpan l && now - l < (interactive ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(30)) && p.Batch != p.Batches) return;
        last = now;
        string line = BatchLine(p);
        if (interactive) Console.Error.Write($"\r{line}   ");
        else Console.Error.WriteLine(line);
    }

    /// <summary>
    /// The progress line of a batch; it leaves out the accuracy while the model has none (the autoencoder's phase), and
    /// says "ETA estimating" until the trainer has a rate without the warm-up batches (<see cref="TrainingEta"/>).
    /// </summary>
    public static string BatchLine(TrainingProgress p)
    {
        string accuracy = p.Accuracy is double a ? " acc " + a.ToString("0.000", CultureInfo.InvariantCulture) : "";
        string eta = p.EpochEta is TimeSpan epoch && p.RunEta is TimeSpan run ? $"ETA epoch {Format(epoch)} run {Format(run)}" : "ETA estimating";
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.Loss:0.0000}{accuracy} {p.ImagesPerSecond:0.0} img/s {eta}");
    }

    /// <summary>Called after every epoch.</summary>
    public void Epoch(EpochMetrics m)
    {
        if (interactive) Console.Error.Write("\r" + new string(' ', 110) + "\r");
        err.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]epoch {m.Epoch}[/] train loss {m.TrainLoss:0.0000} acc {m.TrainAccuracy:0.000} | validation loss {m.ValidationLoss:0.0000} acc {m.ValidationAccuracy:0.000} [green]bal. acc {m.ValidationBalancedAccuracy:0.000}[/] | lr {m.LearningRate:0.000e0} | {m.Seconds:0}s"));
    }

    /// <summary>A status line.</summary>
    public void Info(string text) => err.MarkupLine(Markup.Escape(text));

    private static string Format(TimeSpan t) => t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
}
