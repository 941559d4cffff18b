using WbcNca.Training;

namespace WbcNca.Runs;

/// <summary>
/// Where a run (<see cref="TrainingRun"/>, <see cref="EvaluationRun"/>, <see cref="ExperimentRun"/>) reports what it
/// does: status lines, warnings, training progress and counted progress. The CLI draws them on stderr; tests and
/// library users may keep or drop them (<see cref="RunLog.Silent"/>).
/// </summary>
public interface IRunLog
{
    /// <summary>A status line.</summary>
    void Info(string text);

    /// <summary>Something the user should know (an image left out, a class with no image, …).</summary>
    void Warning(string text);

    /// <summary>Called after every training batch.</summary>
    void Batch(TrainingProgress progress);

    /// <summary>Called after every training epoch.</summary>
    void Epoch(EpochMetrics metrics);

    /// <summary>Starts counting <paramref name="total"/> items of work named <paramref name="what"/> ("evaluating").</summary>
    IRunCounter Count(string what, long total);
}
