namespace WbcNca.Data;

/// <summary>
/// Reads a data set in its original folder layout into a <see cref="Dataset"/>. Layouts: <c>matek19</c>
/// (<see cref="Matek19Reader"/>), <c>acevedo20</c> (<see cref="Acevedo20Reader"/>), <c>int20</c>
/// (<see cref="Int20Reader"/>) and <c>folder</c> (<see cref="FolderReader"/>, any folder-per-class set).
/// Files are listed by extension only (no image is decoded). Hidden files, non-image files, left-out classes and
/// unknown folders are reported in <see cref="Dataset.Skipped"/>, each with its reason. When the given folder holds
/// no class folder but a single wrapper folder (as an unpacked download often does), the class folders are looked
/// for inside it (up to three levels); <see cref="Dataset.Root"/> is then that inner folder.
/// </summary>
public abstract class DatasetReader
{
    /// <summary>The kinds <see cref="Open"/> and <see cref="ForKind"/> accept.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["matek19", "acevedo20", "int20", "folder"];

    /// <summary>A kind's name for people ("Acevedo-20", "Matek-19", "INT-20"); null for <c>folder</c> and unknown kinds.</summary>
    public static string? DisplayName(string kind) => kind.Trim().ToLowerInvariant() switch
    {
        "matek19" => "Matek-19",
        "acevedo20" => "Acevedo-20",
        "int20" => "INT-20",
        _ => null,
    };

    /// <summary>The reader's kind (one of <see cref="Kinds"/>).</summary>
    public abstract string Kind { get; }

    /// <summary>The reader for a kind (case-insensitive).</summary>
    /// <exception cref="WbcNcaException">Unknown kind.</exception>
    public static DatasetReader ForKind(string kind) => kind.Trim().ToLowerInvariant() switch
    {
        "matek19" => new Matek19Reader(),
        "acevedo20" => new Acevedo20Reader(),
        "int20" => new Int20Reader(),
        "folder" => new FolderReader(),
        _ => throw new WbcNcaException($"unknown dataset kind '{kind}'; expected one of: {string.Join(", ", Kinds)}"),
    };

    /// <summary>Reads the data set of kind <paramref name="kind"/> (case-insensitive) at <paramref name="root"/>.</summary>
    /// <exception cref="WbcNcaException">Unknown kind, missing folder, or no labelled image found.</exception>
    public static Dataset Open(string kind, string root) => ForKind(kind).Read(root);

    /// <summary>Reads the data set at <paramref name="root"/>.</summary>
    /// <exception cref="WbcNcaException">The folder is missing or unreadable, or holds no labelled image.</exception>
    public Dataset Read(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new WbcNcaException($"no dataset folder given for kind {Kind}");
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw File.Exists(full)
                ? WbcNcaException.ForFile(root, $"is a file; a {Kind} dataset is a folder with one folder per class")
                : WbcNcaException.ForFile(root, "dataset folder not found");
        }
        full = Path.TrimEndingDirectorySeparator(full);
        string classRoot = ClassFolderScanner.FindClassRoot(full, IsClassFolderName);
        Dataset dataset;
        try
        {
            dataset = ReadClassRoot(classRoot);
        }
        catch (UnauthorizedAccessException e)
        {
            throw WbcNcaException.ForFile(root, $"cannot be read: {e.Message}");
        }
        if (dataset.Items.Count == 0)
            throw WbcNcaException.ForFile(root, $"no labelled image found for a {Kind} dataset ({ExpectedLayout}); {dataset.Skipped.Count} entries skipped");
        return dataset;
    }

    /// <summary>One phrase that describes the expected layout, for error messages.</summary>
    protected abstract string ExpectedLayout { get; }

    /// <summary>True when a top-level folder name is a class folder (used or left out) of this layout.</summary>
    protected abstract bool IsClassFolderName(string folderName);

    /// <summary>Reads the folder that holds the class folders.</summary>
    private protected abstract Dataset ReadClassRoot(string classRoot);

    /// <summary>Scans <paramref name="classRoot"/> with per-folder rules and builds the data set.</summary>
    private protected Dataset Build(string classRoot, LabelLevel level, Func<string, FolderRule> ruleFor)
    {
        var (items, skipped) = ClassFolderScanner.Scan(classRoot, level, ruleFor);
        return new Dataset(Path.GetFileName(classRoot), Kind, classRoot, level, items, skipped);
    }
}
