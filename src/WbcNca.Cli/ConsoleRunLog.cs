using WbcNca.Runs;
using WbcNca.Training;

namespace WbcNca.Cli;

/// <summary>
/// A run's log on stderr: status lines and training progress by <see cref="TrainingView"/>, warnings as one
/// "warning: …" line each, counted work by <see cref="ProgressReporter"/> (silent for small jobs).
/// </summary>
public sealed class ConsoleRunLog : IRunLog
{
    private readonly TrainingView view = new();

    /// <inheritdoc/>
    public void Info(string text) => view.Info(text);

    /// <inheritdoc/>
    public void Warning(string text) => CliRunner.WriteWarning(Console.Error, text);

    /// <inheritdoc/>
    public void Batch(TrainingProgress progress) => view.Batch(progress);

    /// <inheritdoc/>
    public void Epoch(EpochMetrics metrics) => view.Epoch(metrics);

    /// <inheritdoc/>
    public IRunCounter Count(string what, long total) => new Counter(ProgressReporter.ForItems(what, total));

    private sealed class Counter(ProgressReporter reporter) : IRunCounter
    {
        public void Advance(long items) => reporter.Advance(items);

        public void Done() => reporter.Done();
    }
}
