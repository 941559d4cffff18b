namespace WbcNca.Training;

/// <summary>Progress of a training run after a batch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Running mean loss of this epoch.</param>
/// <param name="Accuracy">Running training accuracy of this epoch; null while the model has no class output (the autoencoder of AE-CFE).</param>
/// <param name="ImagesPerSecond">Training throughput of this epoch so far.</param>
/// <param name="EpochEta">Estimated time to the end of the epoch; null while the first batches are timed (see <see cref="TrainingEta"/>).</param>
/// <param name="RunEta">Estimated time to the end of the run (each epoch's validation and saving included once one was measured); null while estimating.</param>
/// <param name="LearningRate">The learning rate of this batch's optimiser step (null where not told).</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double? Accuracy, double ImagesPerSecond, TimeSpan? EpochEta, TimeSpan? RunEta,
    double? LearningRate = null);
