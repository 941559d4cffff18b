using WbcNca.Runtime;
namespace WbcNca.Data;

/// <summary>
/// Seeded, stratified k-fold split that keeps duplicate groups (byte-identical images) in one fold.
/// <para>
/// Algorithm: items are first sorted by relative path (ordinal; full path breaks ties), so the result does not depend
/// on the order they are given in. Duplicate groups are listed in that order, shuffled with <c>SplitMix64</c> seeded
/// by the seed, then stably sorted by size, largest first. Each group in turn goes to the fold where its labels are
/// fewest so far (sum over its items of the fold's count of the item's label); ties go to the fold with fewer items,
/// then the lower fold. Without duplicates every label's count differs by at most one between folds; groups can
/// make a difference of a little more.
/// </para>
/// </summary>
public static class StratifiedKFold
{
    /// <summary>Splits a data set's items, grouping duplicates by <see cref="DuplicateGroups.ForDataset"/> (hashes every file).</summary>
    public static FoldAssignment Split(Dataset dataset, int k, int seed) => Split(dataset.Items, DuplicateGroups.ForDataset(dataset), k, seed);

    /// <summary>Splits items, grouping byte-identical files by <see cref="DuplicateGroups.ContentSha1"/> (hashes every file).</summary>
    public static FoldAssignment Split(IReadOnlyList<LabeledImage> items, int k, int seed) =>
        Split(items, DuplicateGroups.FromKeys(DuplicateGroups.ContentSha1(items)), k, seed);

    /// <summary>Splits items with given duplicate groups (equal ids = one group; e.g. from <see cref="DuplicateGroups.FromKeys"/>).</summary>
    public static FoldAssignment Split(IReadOnlyList<LabeledImage> items, IReadOnlyList<int> groups, int k, int seed) =>
        Split(items.Select(i => i.RelativePath + "\0" + i.Path).ToArray(), items.Select(i => i.Label).ToArray(), groups, k, seed);

    /// <summary>
    /// Splits items given as sort keys (unique, e.g. relative paths), labels (≥ 0) and duplicate group ids, all in item order.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, a label is negative, or a key occurs twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 2.</exception>
    public static FoldAssignment Split(IReadOnlyList<string> keys, IReadOnlyList<int> labels, IReadOnlyList<int> groups, int k, int seed)
    {
        if (k < 2) throw new ArgumentOutOfRangeException(nameof(k), k, "a k-fold split needs k ≥ 2");
        int n = keys.Count;
        if (labels.Count != n || groups.Count != n) throw new ArgumentException($"keys, labels and groups differ in length ({n}, {labels.Count}, {groups.Count})");
        int[] order = Enumerable.Range(0, n).OrderBy(i => keys[i], StringComparer.Ordinal).ToArray();
        var rank = new int[n];
        for (int r = 0; r < n; r++)
        {
            rank[order[r]] = r;
            if (r > 0 && string.Equals(keys[order[r - 1]], keys[order[r]], StringComparison.Ordinal))
                throw new ArgumentException($"key '{keys[order[r]]}' occurs twice", nameof(keys));
            if (labels[order[r]] < 0) throw new ArgumentException($"negative label for '{keys[order[r]]}'", nameof(labels));
        }
        int classCount = n == 0 ? 0 : labels.Max() + 1;

        // Groups in sorted order of their first member; canonical id = rank of that member.
        var members = new Dictionary<int, List<int>>();
        var groupList = new List<List<int>>();
        foreach (int i in order)
        {
            if (!members.TryGetValue(groups[i], out var list))
            {
                members[groups[i]] = list = [];
                groupList.Add(list);
            }
            list.Add(i);
        }
        var canonical = new int[n];
        foreach (List<int> g in groupList) foreach (int i in g) canonical[i] = rank[g[0]];

        new SplitMix64(seed).Shuffle(groupList);
        var counts = new int[k, classCount];
        var totals = new int[k];
        var folds = new int[n];
        foreach (List<int> group in groupList.OrderByDescending(g => g.Count))
        {
            int best = 0;
            long bestCost = long.MaxValue;
            for (int f = 0; f < k; f++)
            {
                long cost = 0;
                foreach (int i in group) cost += counts[f, labels[i]];
                if (cost < bestCost || (cost == bestCost && totals[f] < totals[best]))
                {
                    best = f;
                    bestCost = cost;
                }
            }
            foreach (int i in group)
            {
                folds[i] = best;
                counts[best, labels[i]]++;
                totals[best]++;
            }
        }
        return new FoldAssignment(k, seed, folds, labels.ToArray(), canonical, rank);
    }
}
