namespace WbcNca.Training;

/// <summary>What a finished (or stopped) run leaves: its state and folder.</summary>
/// <param name="State">The final state (epochs completed, best epoch, history).</param>
/// <param name="Folder">The run folder.</param>
/// <param name="Completed">True when every epoch ran; false when the run was cancelled.</param>
public sealed record TrainingResult(TrainingState State, RunFolder Folder, bool Completed);
