using System.Globalization;
using System.Text;

namespace WbcNca.Data;

/// <summary>
/// A read data set: its labelled images sorted by relative path (ordinal comparison), what was skipped and why,
/// and the number of images per class. Made by <see cref="DatasetReader"/>.
/// </summary>
public sealed class Dataset
{
    /// <summary>Creates a data set; sorts items and skipped entries by relative path (ordinal).</summary>
    /// <param name="name">Display name (the root folder's name for read data sets).</param>
    /// <param name="kind">Reader kind (matek19, acevedo20, int20, folder) or another identifier.</param>
    /// <param name="root">Full path of the folder the relative paths are relative to.</param>
    /// <param name="level">Label level of every item.</param>
    /// <param name="items">The labelled images.</param>
    /// <param name="skipped">What was not used.</param>
    /// <exception cref="ArgumentException">An item has another level, a label outside the level, or a relative path occurs twice.</exception>
    public Dataset(string name, string kind, string root, LabelLevel level, IEnumerable<LabeledImage> items, IEnumerable<SkippedEntry> skipped)
    {
        Name = name;
        Kind = kind;
        Root = root;
        Level = level;
        LabeledImage[] sorted = items.OrderBy(i => i.RelativePath, StringComparer.Ordinal).ToArray();
        int classCount = CellClasses.Count(level);
        var counts = new int[classCount];
        for (int i = 0; i < sorted.Length; i++)
        {
            LabeledImage item = sorted[i];
            if (item.Level != level)
                throw new ArgumentException($"{item.RelativePath}: label level {item.Level} differs from the data set's {level}", nameof(items));
            if ((uint)item.Label >= (uint)classCount)
                throw new ArgumentException($"{item.RelativePath}: label {item.Label} is not a {CellClasses.LevelName(level)} class", nameof(items));
            if (i > 0 && string.Equals(sorted[i - 1].RelativePath, item.RelativePath, StringComparison.Ordinal))
                throw new ArgumentException($"{item.RelativePath}: occurs twice", nameof(items));
            counts[item.Label]++;
        }
        Items = Array.AsReadOnly(sorted);
        Skipped = Array.AsReadOnly(skipped.OrderBy(s => s.RelativePath, StringComparer.Ordinal).ToArray());
        ClassCounts = Array.AsReadOnly(counts);
    }

    /// <summary>Display name (the root folder's name for read data sets).</summary>
    public string Name { get; }

    /// <summary>Reader kind: matek19, acevedo20, int20 or folder.</summary>
    public string Kind { get; }

    /// <summary>Full path of the folder that holds the class folders; relative paths are relative to it.</summary>
    public string Root { get; }

    /// <summary>Label level of every item.</summary>
    public LabelLevel Level { get; }

    /// <summary>The labelled images, sorted by <see cref="LabeledImage.RelativePath"/> (ordinal).</summary>
    public IReadOnlyList<LabeledImage> Items { get; }

    /// <summary>Files and folders not used, each with its reason, sorted by relative path (ordinal).</summary>
    public IReadOnlyList<SkippedEntry> Skipped { get; }

    /// <summary>Number of items per class of <see cref="Level"/>, indexed by class.</summary>
    public IReadOnlyList<int> ClassCounts { get; }

    /// <summary>Class names of <see cref="Level"/>, in index order.</summary>
    public IReadOnlyList<string> ClassNames => CellClasses.Names(Level);

    /// <summary>Number of items of the class named <paramref name="className"/> (case-insensitive).</summary>
    /// <exception cref="WbcNcaException">Not a class of <see cref="Level"/>.</exception>
    public int CountOf(string className) => ClassCounts[CellClasses.IndexOf(className, Level)];

    /// <summary>Number of skipped entries per kind of reason (kinds with none left out).</summary>
    public IReadOnlyDictionary<SkipReason, int> SkippedCounts =>
        Skipped.GroupBy(s => s.Kind).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>
    /// The same data set with labels at another level: fine to coarse maps each label by
    /// <see cref="CellClasses.CoarseOf"/>; the same level returns this instance.
    /// </summary>
    /// <exception cref="ArgumentException">Coarse to fine.</exception>
    public Dataset ToLevel(LabelLevel level)
    {
        if (level == Level) return this;
        LabeledImage[] items = Items.Select(i => i with { Label = CellClasses.Convert(i.Label, Level, level), Level = level }).ToArray();
        return new Dataset(Name, Kind, Root, level, items, Skipped);
    }

    /// <summary>
    /// A few lines for people: name, kind, level and totals, the count of each class, and the skipped entries per
    /// kind of reason and source class.
    /// </summary>
    public string Summary()
    {
        var sb = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        sb.Append(c, $"{Name} ({Kind}, {CellClasses.LevelName(Level)} level): {Items.Count} images in {ClassCounts.Count(n => n > 0)} classes, {Skipped.Count} skipped").AppendLine();
        for (int i = 0; i < ClassCounts.Count; i++)
            sb.Append(c, $"  {ClassNames[i],-22}{ClassCounts[i],8}").AppendLine();
        foreach (var group in Skipped.GroupBy(s => (s.Kind, s.SourceClass)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.SourceClass, StringComparer.Ordinal))
        {
            string source = group.Key.SourceClass is null ? "" : $" {group.Key.SourceClass}";
            sb.Append(c, $"  skipped {group.Key.Kind}{source}: {group.Count()} (e.g. {group.First().RelativePath}: {group.First().Reason})").AppendLine();
        }
        return sb.ToString();
    }
}
