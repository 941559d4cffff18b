using WbcNca.Runtime;

namespace WbcNca.Data;

/// <summary>A seeded choice of at most K items of each class (a class with fewer gives what it has).</summary>
public static class PerClassSample
{
    /// <summary>
    /// Positions (into <paramref name="labels"/>) of at most <paramref name="perClass"/> items per class, each class's
    /// positions shuffled by <see cref="SplitMix64"/>(<paramref name="seed"/>) in their given order, and the positions
    /// left over; both ascending. <paramref name="perClass"/> 0 chooses every item.
    /// </summary>
    public static (int[] Chosen, int[] Others) Choose(IReadOnlyList<int> labels, int perClass, long seed)
    {
        if (perClass <= 0) return (Enumerable.Range(0, labels.Count).ToArray(), []);
        var chosen = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var list = group.ToList();
            new SplitMix64(seed).Shuffle(list);
            chosen.AddRange(list.Take(perClass));
        }
        var set = chosen.ToHashSet();
        return (chosen.Order().ToArray(), Enumerable.Range(0, labels.Count).Where(i => !set.Contains(i)).ToArray());
    }

    /// <summary>
    /// At most <paramref name="perClass"/> items of each class (all when 0), chosen by <see cref="Choose"/> over the
    /// items sorted by relative path, so the choice does not depend on listing order (<c>--limit-per-class</c>).
    /// </summary>
    public static IReadOnlyList<LabeledImage> Limit(IReadOnlyList<LabeledImage> items, int perClass, long seed)
    {
        if (perClass <= 0) return items;
        LabeledImage[] sorted = items.OrderBy(i => i.RelativePath, StringComparer.Ordinal).ToArray();
        return Choose(sorted.Select(i => i.Label).ToArray(), perClass, seed).Chosen.Select(i => sorted[i]).ToArray();
    }
}
