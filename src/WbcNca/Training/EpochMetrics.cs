namespace WbcNca.Training;

/// <summary>What one epoch measured.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches.</param>
/// <param name="TrainAccuracy">Accuracy on the (augmented) training batches, with their random masks.</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation part (fixed masks, no augmentation).</param>
/// <param name="ValidationAccuracy">Accuracy on the validation part.</param>
/// <param name="ValidationBalancedAccuracy">Balanced accuracy on the validation part (model selection criterion).</param>
/// <param name="LearningRate">Learning rate at the end of the epoch.</param>
/// <param name="Seconds">Wall-clock seconds of the epoch (training and validation).</param>
/// <param name="ValidationSeconds">Of <paramref name="Seconds"/>, those spent on the validation pass (0 in runs made before it was recorded).</param>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double ValidationLoss,
    double ValidationAccuracy,
    double ValidationBalancedAccuracy,
    double LearningRate,
    double Seconds,
    double ValidationSeconds = 0);
