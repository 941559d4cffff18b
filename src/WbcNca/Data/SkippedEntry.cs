namespace WbcNca.Data;

/// <summary>A file or folder of a data set that was not used, and why.</summary>
/// <param name="RelativePath">Path relative to the data set's root, '/' separators; folders end with '/'.</param>
/// <param name="Kind">The kind of reason.</param>
/// <param name="Reason">One line that explains it (e.g. "class 'platelet' is left out of the harmonised classes").</param>
/// <param name="SourceClass">The class as the source names it (folder, or folder and file prefix), when there is one.</param>
public sealed record SkippedEntry(string RelativePath, SkipReason Kind, string Reason, string? SourceClass = null);
