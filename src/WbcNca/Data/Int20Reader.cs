namespace WbcNca.Data;

/// <summary>
/// INT-20 (in-house, not public): one numbered folder per class, named as in the data README (e.g.
/// <c>09-BASO</c>, <c>14-LYMPH-typ</c>, <c>17-Kernschatten</c>). 04-LGL, 16-PLZ, 21-Haarzelle and 22-Atyp-PMYEL
/// are left out. Folder names are matched case-insensitively.
/// </summary>
public sealed class Int20Reader : FolderMapReader
{
    /// <summary>Fine class name of each used folder.</summary>
    public static IReadOnlyDictionary<string, string> FolderToClass { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["09-BASO"] = "basophil", ["10-EOS"] = "eosinophil", ["01-NORMO"] = "erythroblast", ["13-MYBL"] = "myeloblast",
        ["18-PMYEL"] = "promyelocyte", ["19-MYEL"] = "myelocyte", ["20-Meta"] = "metamyelocyte", ["11-STAB"] = "neutrophil_banded",
        ["15-SEG"] = "neutrophil_segmented", ["05-MONO"] = "monocyte", ["14-LYMPH-typ"] = "lymphocyte_typical",
        ["08-LYMPH-neo"] = "lymphocyte_atypical", ["12-LYMPH-reaktiv"] = "lymphocyte_atypical", ["17-Kernschatten"] = "smudge_cell",
    };

    /// <summary>Folders of the source that the harmonised classes leave out.</summary>
    public static IReadOnlyList<string> LeftOutFolders { get; } = ["04-LGL", "16-PLZ", "21-Haarzelle", "22-Atyp-PMYEL"];

    /// <inheritdoc/>
    public override string Kind => "int20";

    /// <inheritdoc/>
    protected override string ExpectedLayout => "numbered class folders such as 09-BASO, 15-SEG";

    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, string> ClassOfFolder => FolderToClass;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> LeftOutFolderNames => LeftOutFolders;

    /// <inheritdoc/>
    protected override string SourceName => "INT-20";
}
