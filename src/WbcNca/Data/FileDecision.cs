namespace WbcNca.Data;

/// <summary>What a reader makes of one image file in a class folder: a label, or a reason to skip it.</summary>
internal readonly record struct FileDecision(int Label, string SourceClass, SkipReason Skip, string? Reason)
{
    public bool IsLabeled => Reason is null;

    public static FileDecision Labeled(int label, string sourceClass) => new(label, sourceClass, default, null);

    public static FileDecision Skipped(SkipReason kind, string reason, string sourceClass) => new(-1, sourceClass, kind, reason);
}
