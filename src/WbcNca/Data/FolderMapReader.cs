namespace WbcNca.Data;

/// <summary>
/// A reader for layouts where each class folder's name alone decides the fine class (Matek-19, INT-20):
/// a map from folder name to class, a list of folders the harmonised classes leave out, and anything else unknown.
/// Folder names are matched case-insensitively.
/// </summary>
public abstract class FolderMapReader : DatasetReader
{
    /// <summary>Fine class name of each used folder.</summary>
    protected abstract IReadOnlyDictionary<string, string> ClassOfFolder { get; }

    /// <summary>Folders of the source that the harmonised classes leave out.</summary>
    protected abstract IReadOnlyList<string> LeftOutFolderNames { get; }

    /// <summary>The data set's name in messages, e.g. "Matek-19".</summary>
    protected abstract string SourceName { get; }

    /// <inheritdoc/>
    protected override bool IsClassFolderName(string folderName) =>
        ClassOfFolder.ContainsKey(folderName) || LeftOutFolderNames.Contains(folderName, StringComparer.OrdinalIgnoreCase);

    private protected override Dataset ReadClassRoot(string classRoot) => Build(classRoot, LabelLevel.Fine, folder =>
        ClassOfFolder.TryGetValue(folder, out string? name) ? FolderRule.Fixed(folder, CellClasses.IndexOf(name, LabelLevel.Fine))
        : LeftOutFolderNames.Contains(folder, StringComparer.OrdinalIgnoreCase) ? FolderRule.LeftOut(folder, $"class '{folder}' is left out of the harmonised classes")
        : FolderRule.Unknown(folder, $"unknown {SourceName} class folder '{folder}' (expected one of: {string.Join(" ", ClassOfFolder.Keys.Concat(LeftOutFolderNames).Order(StringComparer.Ordinal))})"));
}
