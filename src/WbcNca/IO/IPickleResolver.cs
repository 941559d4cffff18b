namespace WbcNca.IO;

/// <summary>
/// Gives meaning to the few pickle opcodes that would run code in Python (GLOBAL, REDUCE, BUILD, BINPERSID).
/// An implementation only builds plain data for an allow-list of globals and throws
/// <see cref="CheckpointFormatException"/> for anything else.
/// </summary>
internal interface IPickleResolver
{
    /// <summary>Looks up the global <paramref name="module"/>.<paramref name="name"/>; refuses any that is not allow-listed.</summary>
    object ResolveGlobal(string module, string name);

    /// <summary>The result of calling <paramref name="callable"/> with <paramref name="args"/> (REDUCE).</summary>
    object? Reduce(object? callable, object?[] args);

    /// <summary>Applies <paramref name="state"/> to <paramref name="target"/> (BUILD).</summary>
    void Build(object? target, object? state);

    /// <summary>The object that a persistent id refers to (BINPERSID).</summary>
    object PersistentLoad(object? pid);
}
