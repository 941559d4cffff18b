namespace WbcNca.Runs;

/// <summary>Where an entry of an experiment grid stands (<see cref="GridEntryStatus"/>).</summary>
public enum GridEntryState
{
    /// <summary>Nothing ran yet.</summary>
    Pending,

    /// <summary>A task started it and has not reported an end: it runs, or it was killed (time limit, memory, node failure).</summary>
    Running,

    /// <summary>Stopped by a signal (Slurm's time limit or scancel) after saving what it could; a new task resumes it.</summary>
    Stopped,

    /// <summary>Ended with an error.</summary>
    Failed,

    /// <summary>Trained and evaluated: its result is in the folder.</summary>
    Done,
}
