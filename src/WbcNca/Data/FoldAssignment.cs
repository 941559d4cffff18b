using WbcNca.Runtime;
namespace WbcNca.Data;

/// <summary>
/// The result of <see cref="StratifiedKFold"/>: the fold of each item (in the order the items were given), and the
/// train/test (and validation) parts of each fold as indices into that item list.
/// </summary>
public sealed class FoldAssignment
{
    private readonly int[] _folds;
    private readonly int[] _labels;
    private readonly int[] _groups;
    private readonly int[] _rank;

    internal FoldAssignment(int k, int seed, int[] folds, int[] labels, int[] groups, int[] rank)
    {
        K = k;
        Seed = seed;
        _folds = folds;
        _labels = labels;
        _groups = groups;
        _rank = rank;
        Folds = Array.AsReadOnly(folds);
        Groups = Array.AsReadOnly(groups);
    }

    /// <summary>Number of folds.</summary>
    public int K { get; }

    /// <summary>The seed the split was made with.</summary>
    public int Seed { get; }

    /// <summary>Fold of each item, in [0, <see cref="K"/>), in the order the items were given.</summary>
    public IReadOnlyList<int> Folds { get; }

    /// <summary>Duplicate group of each item (items with the same id are byte-identical and share a fold).</summary>
    public IReadOnlyList<int> Groups { get; }

    /// <summary>Number of items.</summary>
    public int Count => _folds.Length;

    /// <summary>Number of items of each label in fold <paramref name="fold"/>, indexed by label (up to the largest label).</summary>
    public int[] ClassCounts(int fold)
    {
        CheckFold(fold);
        var counts = new int[_labels.Length == 0 ? 0 : _labels.Max() + 1];
        for (int i = 0; i < _folds.Length; i++) if (_folds[i] == fold) counts[_labels[i]]++;
        return counts;
    }

    /// <summary>Fold <paramref name="fold"/> as test part, every other fold as training part.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a fold.</exception>
    public TrainTestSplit TrainTest(int fold)
    {
        CheckFold(fold);
        var train = new List<int>();
        var test = new List<int>();
        for (int i = 0; i < _folds.Length; i++) (_folds[i] == fold ? test : train).Add(i);
        return new TrainTestSplit(train, test);
    }

    /// <summary>
    /// Fold <paramref name="fold"/> as test part, and a stratified share <paramref name="validationFraction"/> of the
    /// training part held out for validation: for each label, round(fraction × its training count) items where duplicate
    /// groups allow. Groups go to one side as a unit, chosen in an order shuffled by <paramref name="seed"/>
    /// (<c>SplitMix64</c>) from the items sorted as for the split, so the result does not depend on the input order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a fold, or the fraction is not in (0, 1).</exception>
    public TrainValidationTestSplit TrainValidationTest(int fold, double validationFraction, int seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "the validation fraction must lie in (0, 1)");
        TrainTestSplit tt = TrainTest(fold);
        int[] candidates = tt.Train.OrderBy(i => _rank[i]).ToArray();
        var target = new Dictionary<int, int>();
        foreach (var g in candidates.GroupBy(i => _labels[i]))
            target[g.Key] = (int)Math.Round(validationFraction * g.Count(), MidpointRounding.AwayFromZero);
        List<int[]> groups = candidates.GroupBy(i => _groups[i]).Select(g => g.ToArray()).ToList();
        new SplitMix64(seed).Shuffle(groups);
        var taken = new Dictionary<int, int>();
        var validation = new List<int>();
        foreach (int[] group in groups)
        {
            var need = group.GroupBy(i => _labels[i]).ToDictionary(g => g.Key, g => g.Count());
            if (need.All(kv => taken.GetValueOrDefault(kv.Key) + kv.Value <= target[kv.Key]))
            {
                foreach (var kv in need) taken[kv.Key] = taken.GetValueOrDefault(kv.Key) + kv.Value;
                validation.AddRange(group);
            }
        }
        var inValidation = validation.ToHashSet();
        return new TrainValidationTestSplit(tt.Train.Where(i => !inValidation.Contains(i)).ToArray(), validation.Order().ToArray(), tt.Test);
    }

    private void CheckFold(int fold)
    {
        if ((uint)fold >= (uint)K) throw new ArgumentOutOfRangeException(nameof(fold), fold, $"not a fold (0..{K - 1})");
    }
}
