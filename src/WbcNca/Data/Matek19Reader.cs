namespace WbcNca.Data;

/// <summary>
/// Matek-19 (AML-Cytomorphology_LMU): one folder per class code, files <c>&lt;CODE&gt;_&lt;number&gt;.tiff</c>.
/// Codes map onto the fine classes as in the data README: BAS basophil, EOS eosinophil, EBO erythroblast,
/// MYO myeloblast, PMO promyelocyte, MYB myelocyte, MMZ metamyelocyte, NGB neutrophil_banded,
/// NGS neutrophil_segmented, MON and MOB monocyte, LYT lymphocyte_typical, LYA lymphocyte_atypical,
/// KSC smudge_cell; PMB is left out. Folder codes are matched case-insensitively; a file is labelled by its folder.
/// </summary>
public sealed class Matek19Reader : FolderMapReader
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
    protected override IReadOnlyDictionary<string, string> ClassOfFolder => CodeToClass;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> LeftOutFolderNames => LeftOutCodes;

    /// <inheritdoc/>
    protected override string SourceName => "Matek-19";
}
