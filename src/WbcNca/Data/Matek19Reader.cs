namespace WbcNca.Data;

/// <summary>
/// Matek-19 (AML-Cytomorphology_LMU): one folder per class code, files <c>&lt;CODE&gt;_&lt;number&gt;.tiff</c>.
/// Codes map onto the fine classes as in the data README: BAS basophil, EOS eosinophil, EBO erythroblast,
/// MYO myeloblast, PMO promyelocyte, MYB myelocyte, MMZ metamyelocyte, NGB neutrophil_banded,
/// NGS neutrophil_segmented, MON and MOB monocyte, LYT lymphocyte_typical, LYA lymphocyte_atypical,
/// KSC smudge_cell; PMB is left out. Folder codes are matched case-insensitively; a file is labelled by its folder.
/// </summary>
public sealed class Matek19Reader : DatasetReader
{
    /// <summary>Fine class name of each used class code.</summary>
    public static IReadOnlyDictionary<string, string> CodeToClass { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["BAS"] = "basophil", ["EOS"] = "eosinophil", ["EBO"] = "erythroblast", ["MYO"] = "myeloblast",
        ["PMO"] = "promyelocyte", ["MYB"] = "myelocyte", ["MMZ"] = "metamyelocyte", ["NGB"] = "neutrophil_banded",
        ["NGS"] = "neutrophil_segmented", ["MON"] = "monocyte", ["MOB"] = "monocyte", ["LYT"] = "lymphocyte_typical",
        ["LYA"] = "lymphocyte_atypical", ["KSC"] = "smudge_cell",
    };

    /// <summary>Class codes of the source that the harmonised classes leave out.</summary>
    public static IReadOnlyList<string> LeftOutCodes { get; } = ["PMB"];

    /// <inheritdoc/>
    public override string Kind => "matek19";

    /// <inheritdoc/>
    protected override string ExpectedLayout => "one folder per class code such as BAS, EOS, NGS";

    /// <inheritdoc/>
    protected override bool IsClassFolderName(string folderName) =>
        CodeToClass.ContainsKey(folderName) || LeftOutCodes.Contains(folderName, StringComparer.OrdinalIgnoreCase);

    private protected override Dataset ReadClassRoot(string classRoot) => Build(classRoot, LabelLevel.Fine, folder =>
        CodeToClass.TryGetValue(folder, out string? name) ? FolderRule.Fixed(folder, CellClasses.IndexOf(name, LabelLevel.Fine))
        : LeftOutCodes.Contains(folder, StringComparer.OrdinalIgnoreCase) ? FolderRule.LeftOut(folder, $"class '{folder}' is left out of the harmonised classes")
        : FolderRule.Unknown(folder, $"unknown Matek-19 class folder '{folder}' (expected one of: {string.Join(" ", CodeToClass.Keys.Concat(LeftOutCodes).Order(StringComparer.Ordinal))})"));
}
