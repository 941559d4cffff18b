using WbcNca.Runs;

namespace WbcNca.Tests.Runs;

/// <summary>A run log that keeps, per counted piece of work, the total announced and the items advanced.</summary>
internal sealed class CountingLog : IRunLog
{
    public Dictionary<string, (long Total, long Done)> Counts { get; } = [];

    public void Info(string text) { }

    public void Warning(string text) { }

    public void Batch(WbcNca.Training.TrainingProgress progress) { }

    public void Epoch(WbcNca.Training.EpochMetrics metrics) { }

    public IRunCounter Count(string what, long total)
    {
        Counts[what] = (total, 0);
        return new Counter(this, what);
    }

    private sealed class Counter(CountingLog log, string what) : IRunCounter
    {
        public void Advance(long items) => log.Counts[what] = (log.Counts[what].Total, log.Counts[what].Done + items);

        public void Done() { }
    }
}
