namespace WbcNca.Training;

/// <summary>
/// The time left in a training run, from the measured time of each batch. The first batches of a process carry the
/// warm-up (code compiled on first use, buffers allocated, thread pools started), so they are left out of the rate,
/// and there is no estimate (null) until a few batches after them have been timed. The work at the end of each epoch
/// (validation, saving) is timed apart and, once measured, added for every epoch end still to come.
/// </summary>
public sealed class TrainingEta
{
    /// <summary>Batches at the start of the process that are not counted in the rate.</summary>
    public const int WarmupBatches = 2;

    /// <summary>Timed batches after the warm-up needed before there is an estimate.</summary>
    public const int MeasuredBatches = 3;

    private int batches;
    private int measured;
    private double measuredSeconds;
    private int epochEnds;
    private double epochEndSeconds;

    /// <summary>Records one batch that took <paramref name="seconds"/>.</summary>
    public void Batch(double seconds)
    {
        if (batches++ < WarmupBatches) return;
        measured++;
        measuredSeconds += seconds;
    }

    /// <summary>Records the end-of-epoch work (validation, saving) of one epoch that took <paramref name="seconds"/>.</summary>
    public void EpochEnd(double seconds)
    {
        epochEnds++;
        epochEndSeconds += seconds;
    }

    /// <summary>Mean seconds per batch after the warm-up; null while fewer than <see cref="MeasuredBatches"/> were timed.</summary>
    public double? SecondsPerBatch => measured >= MeasuredBatches ? measuredSeconds / measured : null;

    /// <summary>Time for the <paramref name="batchesLeft"/> batches left in this epoch; null while estimating.</summary>
    public TimeSpan? EpochLeft(int batchesLeft) => SecondsPerBatch is double s ? TimeSpan.FromSeconds(s * batchesLeft) : null;

    /// <summary>
    /// Time to the end of the run: <paramref name="batchesLeft"/> in this epoch, <paramref name="epochsAfter"/> more epochs
    /// of <paramref name="batchesPerEpoch"/>, and (once one was measured) the end of this epoch and of each epoch after it.
    /// </summary>
    public TimeSpan? RunLeft(int batchesLeft, int epochsAfter, int batchesPerEpoch)
    {
        if (SecondsPerBatch is not double s) return null;
        double ends = epochEnds > 0 ? epochEndSeconds / epochEnds * (epochsAfter + 1) : 0;
        return TimeSpan.FromSeconds(s * (batchesLeft + (double)epochsAfter * batchesPerEpoch) + ends);
    }
}
