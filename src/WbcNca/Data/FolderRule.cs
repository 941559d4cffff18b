namespace WbcNca.Data;

/// <summary>How a reader treats one top-level folder of a data set: as a known class folder (its files get labels
/// or per-file reasons from <see cref="Classify"/>), or as a folder whose images are all skipped.</summary>
internal sealed class FolderRule
{
    private FolderRule(bool known, Func<string, FileDecision> classify)
    {
        IsKnown = known;
        Classify = classify;
    }

    /// <summary>True when the folder names a class of the source (used or left out), false for an unknown folder.</summary>
    public bool IsKnown { get; }

    /// <summary>Decides one image file by its name.</summary>
    public Func<string, FileDecision> Classify { get; }

    /// <summary>Every image gets <paramref name="label"/>; the source class is the folder's name.</summary>
    public static FolderRule Fixed(string folder, int label) => new(true, _ => FileDecision.Labeled(label, folder));

    /// <summary>A folder of a class the harmonised taxonomy leaves out.</summary>
    public static FolderRule LeftOut(string folder, string why) =>
        new(true, _ => FileDecision.Skipped(SkipReason.LeftOutClass, why, folder));

    /// <summary>A folder that names no known class.</summary>
    public static FolderRule Unknown(string folder, string why) =>
        new(false, _ => FileDecision.Skipped(SkipReason.UnknownClass, why, folder));

    /// <summary>A known folder whose files are told apart by a reader-specific function (e.g. by file-name prefix).</summary>
    public static FolderRule ByFile(Func<string, FileDecision> classify) => new(true, classify);
}
