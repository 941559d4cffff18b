namespace WbcNca.Training;

/// <summary>Where a run stands after an epoch: saved in the training checkpoint with the model and the optimiser state.</summary>
/// <param name="Epoch">Epochs completed.</param>
/// <param name="Step">Optimiser steps taken (the learning-rate schedule's position).</param>
/// <param name="BestEpoch">Epoch with the best validation balanced accuracy so far (0 = none yet).</param>
/// <param name="BestScore">That balanced accuracy.</param>
/// <param name="Seconds">Training wall-clock seconds so far (all sessions).</param>
/// <param name="History">Metrics of every completed epoch.</param>
/// <param name="Options">The run's options as JSON.</param>
/// <param name="Config">The model configuration as JSON.</param>
public sealed record TrainingState(int Epoch, long Step, int BestEpoch, double BestScore, double Seconds, IReadOnlyList<EpochMetrics> History, string Options, string Config);
