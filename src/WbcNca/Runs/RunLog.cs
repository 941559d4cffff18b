using WbcNca.Training;

namespace WbcNca.Runs;

/// <summary>Simple <see cref="IRunLog"/>s: one that drops everything and one that keeps the lines.</summary>
public sealed class RunLog : IRunLog, IRunCounter
{
    private readonly List<string>? lines;

    private RunLog(List<string>? lines) => this.lines = lines;

    /// <summary>A log that drops everything.</summary>
    public static RunLog Silent { get; } = new(null);

    /// <summary>A log that keeps its status lines and warnings (warnings prefixed "warning: ") in <paramref name="lines"/>.</summary>
    public static RunLog Into(List<string> lines) => new(lines);

    /// <inheritdoc/>
    public void Info(string text) => lines?.Add(text);

    /// <inheritdoc/>
    public void Warning(string text) => lines?.Add("warning: " + text);

    /// <inheritdoc/>
    public void Batch(TrainingProgress progress) { }

    /// <inheritdoc/>
    public void Epoch(EpochMetrics metrics) { }

    /// <inheritdoc/>
    public IRunCounter Count(string what, long total) => this;

    /// <inheritdoc/>
    void IRunCounter.Advance(long items) { }

    /// <inheritdoc/>
    void IRunCounter.Done() { }
}
