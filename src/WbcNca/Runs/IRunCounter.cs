namespace WbcNca.Runs;

/// <summary>Counted progress of one piece of work (see <see cref="IRunLog.Count"/>).</summary>
public interface IRunCounter
{
    /// <summary>Counts <paramref name="items"/> more items done.</summary>
    void Advance(long items);

    /// <summary>The work is finished.</summary>
    void Done();
}
