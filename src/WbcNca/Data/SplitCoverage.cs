using System.Globalization;

namespace WbcNca.Data;

/// <summary>
/// What a split leaves out, for people to read before trusting a run: classes with no image in a part (a class absent
/// from the training part cannot be learned; one absent from the test part is not measured), and the byte-identical
/// files that were kept in one fold (and those whose copies carry different labels).
/// </summary>
public static class SplitCoverage
{
    /// <summary>Groups with conflicting labels listed one per line before the rest is only counted.</summary>
    public const int MaxListed = 5;

    /// <summary>
    /// One line per class that has images but none in one of <paramref name="parts"/> (name and item indices into
    /// <paramref name="labels"/>), in class order then part order; empty when every present class is in every part.
    /// </summary>
    public static IReadOnlyList<string> MissingClasses(IReadOnlyList<int> labels, IReadOnlyList<string> classNames,
        IReadOnlyList<(string Name, IReadOnlyList<int> Indices)> parts)
    {
        var total = new int[classNames.Count];
        foreach (int l in labels) total[l]++;
        var lines = new List<string>();
        for (int c = 0; c < classNames.Count; c++)
        {
            if (total[c] == 0) continue;
            foreach (var (name, indices) in parts)
            {
                if (indices.Any(i => labels[i] == c)) continue;
                string consequence = name.StartsWith("train", StringComparison.Ordinal) ? "the model cannot learn it"
                    : name.StartsWith("test", StringComparison.Ordinal) ? "its recall is not measured" : "it does not count in model selection";
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"class {classNames[c]} ({total[c]} image(s)) has no image in the {name} part: {consequence}"));
            }
        }
        return lines;
    }

    /// <summary>
    /// Lines about duplicate groups of a split (items with the same <see cref="FoldAssignment.Groups"/> id): how many
    /// byte-identical files were kept together, and each group whose files carry different labels. Empty without duplicates.
    /// </summary>
    public static IReadOnlyList<string> Duplicates(FoldAssignment folds, IReadOnlyList<LabeledImage> items, IReadOnlyList<string> classNames)
    {
        var groups = Enumerable.Range(0, items.Count).GroupBy(i => folds.Groups[i]).Where(g => g.Count() > 1).ToArray();
        if (groups.Length == 0) return [];
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"{groups.Sum(g => g.Count())} byte-identical files in {groups.Length} group(s), each group kept in one fold (never across training and test)"),
        };
        var conflicting = groups.Where(g => g.Select(i => items[i].Label).Distinct().Count() > 1).ToArray();
        foreach (var g in conflicting.Take(MaxListed))
        {
            var labels = g.Select(i => items[i].Label).Distinct().Order();
            lines.Add($"identical files with different labels ({string.Join(", ", labels.Select(l => classNames[l]))}): {string.Join(", ", g.Select(i => items[i].RelativePath))}");
        }
        if (conflicting.Length > MaxListed)
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"… and {conflicting.Length - MaxListed} more group(s) of identical files with different labels"));
        return lines;
    }
}
