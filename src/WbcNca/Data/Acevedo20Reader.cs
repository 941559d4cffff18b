namespace WbcNca.Data;

/// <summary>
/// Acevedo-20 (PBC_dataset_normal_DIB): eight lower-case class folders. Six map to one class each (lymphocyte to
/// lymphocyte_typical); <c>ig/</c> and <c>neutrophil/</c> are split by the file-name prefix before the first
/// '_' (compared whole, so <c>MY_</c> never matches <c>MMY_</c> or <c>PMY_</c>): PMY promyelocyte, MY myelocyte,
/// MMY metamyelocyte, BNE neutrophil_banded, SNE neutrophil_segmented. Unspecified <c>IG_</c> and
/// <c>NEUTROPHIL_</c> images and the <c>platelet/</c> folder are left out. Names are matched case-insensitively.
/// </summary>
public sealed class Acevedo20Reader : DatasetReader
{
    /// <summary>Fine class name of each folder whose images all have one class.</summary>
    public static IReadOnlyDictionary<string, string> FolderToClass { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["basophil"] = "basophil", ["eosinophil"] = "eosinophil", ["erythroblast"] = "erythroblast",
        ["monocyte"] = "monocyte", ["lymphocyte"] = "lymphocyte_typical",
    };

    /// <summary>Fine class name (or null: left out) of each file-name prefix, per folder that is split by prefix.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> PrefixToClass { get; } =
        new Dictionary<string, IReadOnlyDictionary<string, string?>>(StringComparer.OrdinalIgnoreCase)
        {
            ["ig"] = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["PMY"] = "promyelocyte", ["MY"] = "myelocyte", ["MMY"] = "metamyelocyte", ["IG"] = null,
            },
            ["neutrophil"] = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["BNE"] = "neutrophil_banded", ["SNE"] = "neutrophil_segmented", ["NEUTROPHIL"] = null,
            },
        };

    /// <summary>Folders of the source that the harmonised classes leave out.</summary>
    public static IReadOnlyList<string> LeftOutFolders { get; } = ["platelet"];

    /// <inheritdoc/>
    public override string Kind => "acevedo20";

    /// <inheritdoc/>
    protected override string ExpectedLayout => "folders basophil, eosinophil, erythroblast, ig, lymphocyte, monocyte, neutrophil, platelet";

    /// <inheritdoc/>
    protected override bool IsClassFolderName(string folderName) =>
        FolderToClass.ContainsKey(folderName) || PrefixToClass.ContainsKey(folderName) || LeftOutFolders.Contains(folderName, StringComparer.OrdinalIgnoreCase);

    private protected override Dataset ReadClassRoot(string classRoot) => Build(classRoot, LabelLevel.Fine, RuleFor);

    private static FolderRule RuleFor(string folder)
    {
        if (FolderToClass.TryGetValue(folder, out string? name)) return FolderRule.Fixed(folder, CellClasses.IndexOf(name, LabelLevel.Fine));
        if (LeftOutFolders.Contains(folder, StringComparer.OrdinalIgnoreCase))
            return FolderRule.LeftOut(folder, $"class '{folder}' is left out of the harmonised classes");
        if (PrefixToClass.TryGetValue(folder, out var prefixes))
        {
            return FolderRule.ByFile(file =>
            {
                int cut = file.IndexOf('_');
                string prefix = cut > 0 ? file[..cut] : "";
                string source = $"{folder}/{prefix}_";
                if (cut <= 0 || !prefixes.TryGetValue(prefix, out string? cls))
                {
                    return FileDecision.Skipped(SkipReason.UnknownClass,
                        $"file name prefix names no class of '{folder}' (expected {string.Join(", ", prefixes.Keys.Select(p => p + "_"))})", cut > 0 ? source : folder);
                }
                return cls is null
                    ? FileDecision.Skipped(SkipReason.LeftOutClass, $"unspecified '{prefix}_' images are left out of the harmonised classes", source)
                    : FileDecision.Labeled(CellClasses.IndexOf(cls, LabelLevel.Fine), source);
            });
        }
        return FolderRule.Unknown(folder, $"unknown Acevedo-20 class folder '{folder}'");
    }
}
