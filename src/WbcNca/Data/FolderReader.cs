namespace WbcNca.Data;

/// <summary>
/// A generic folder-per-class data set (e.g. the cross-domain sets jtsc and bccd): each folder is named after a class,
/// case-insensitively, with '-' or ' ' accepted for '_'. Accepted names are the five main types (basophil,
/// eosinophil, lymphocyte, monocyte, neutrophil) and the 13 fine class names. Unknown folders are reported as skipped.
/// <para>
/// Level: unless one is given, a set is read at the coarse level when any folder names only a coarse class
/// (lymphocyte, neutrophil) or when every folder name is valid at both levels (basophil, eosinophil, monocyte);
/// fine-class folders of a coarse set are mapped to their coarse class (e.g. neutrophil_banded to neutrophil,
/// erythroblast to other). A set is read at the fine level when it has fine-only folder names and no coarse-only one.
/// Read at a given fine level, coarse-only folders are skipped as unknown (they do not tell the fine class).
/// </para>
/// </summary>
public sealed class FolderReader : DatasetReader
{
    private readonly LabelLevel? _level;

    /// <summary>Creates the reader; <paramref name="level"/> forces a label level, null decides it from the folder names.</summary>
    public FolderReader(LabelLevel? level = null) => _level = level;

    /// <inheritdoc/>
    public override string Kind => "folder";

    /// <inheritdoc/>
    protected override string ExpectedLayout => "one folder per class named after a main type or a fine class, e.g. basophil/, neutrophil/";

    /// <inheritdoc/>
    protected override bool IsClassFolderName(string folderName) => FineIndex(folderName) >= 0 || CoarseIndex(folderName) >= 0;

    /// <summary>The level a set with these class folder names is read at when no level is forced (see the class remarks).</summary>
    public static LabelLevel DecideLevel(IEnumerable<string> folderNames)
    {
        bool anyFineOnly = false;
        foreach (string name in folderNames)
        {
            bool fine = FineIndex(name) >= 0, coarse = CoarseIndex(name) >= 0;
            if (coarse && !fine) return LabelLevel.Coarse;
            anyFineOnly |= fine && !coarse;
        }
        return anyFineOnly ? LabelLevel.Fine : LabelLevel.Coarse;
    }

    private protected override Dataset ReadClassRoot(string classRoot)
    {
        LabelLevel level = _level ?? DecideLevel(new DirectoryInfo(classRoot).EnumerateDirectories().Where(d => !ImageFiles.IsHidden(d)).Select(d => d.Name));
        return Build(classRoot, level, folder => RuleFor(folder, level));
    }

    private static FolderRule RuleFor(string folder, LabelLevel level)
    {
        int fine = FineIndex(folder), coarse = CoarseIndex(folder);
        if (level == LabelLevel.Fine)
        {
            if (fine >= 0) return FolderRule.Fixed(folder, fine);
            if (coarse >= 0) return FolderRule.Unknown(folder, $"'{folder}' names a coarse class, which does not tell the fine class");
        }
        else
        {
            if (coarse >= 0) return FolderRule.Fixed(folder, coarse);
            if (fine >= 0) return FolderRule.Fixed(folder, CellClasses.CoarseOf(fine));
        }
        return FolderRule.Unknown(folder, $"folder '{folder}' names no class (expected a main type: {string.Join(", ", CellClasses.MainTypes)}; or a fine class: {string.Join(", ", CellClasses.Fine)})");
    }

    private static string Normalize(string folder) => folder.Trim().Replace('-', '_').Replace(' ', '_');

    private static int FineIndex(string folder) => CellClasses.TryIndexOf(Normalize(folder), LabelLevel.Fine, out int i) ? i : -1;

    private static int CoarseIndex(string folder)
    {
        string n = Normalize(folder);
        return CellClasses.MainTypes.Contains(n, StringComparer.OrdinalIgnoreCase) ? CellClasses.IndexOf(n, LabelLevel.Coarse) : -1;
    }
}
