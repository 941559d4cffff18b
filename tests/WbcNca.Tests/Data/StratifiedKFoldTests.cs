using WbcNca.Data;

namespace WbcNca.Tests.Data;

public class StratifiedKFoldTests
{
    // 7 classes of uneven sizes (1, 5, 17, 40, 3, 64, 11), keys "c<label>/<n>".
    private static (string[] Keys, int[] Labels) Synthetic()
    {
        int[] sizes = [1, 5, 17, 40, 3, 64, 11];
        var keys = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < sizes.Length; c++)
            for (int n = 0; n < sizes[c]; n++) { keys.Add($"c{c}/{n:000}.jpg"); labels.Add(c); }
        return (keys.ToArray(), labels.ToArray());
    }

    private static int[] Singletons(int n) => Enumerable.Range(0, n).ToArray();

    [Fact]
    public void Every_item_lands_in_exactly_one_fold_and_every_fold_is_used()
    {
        var (keys, labels) = Synthetic();
        FoldAssignment a = StratifiedKFold.Split(keys, labels, Singletons(keys.Length), 5, 1);
        Assert.Equal(keys.Length, a.Folds.Count);
        Assert.All(a.Folds, f => Assert.InRange(f, 0, 4));
        var tests = Enumerable.Range(0, 5).SelectMany(f => a.TrainTest(f).Test).ToList();
        Assert.Equal(Enumerable.Range(0, keys.Length), tests.Order());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    public void Folds_are_stratified_so_each_class_count_differs_by_at_most_one(int k)
    {
        var (keys, labels) = Synthetic();
        FoldAssignment a = StratifiedKFold.Split(keys, labels, Singletons(keys.Length), k, 42);
        int[][] counts = Enumerable.Range(0, k).Select(a.ClassCounts).ToArray();
        for (int c = 0; c < 7; c++)
            Assert.InRange(counts.Max(x => x[c]) - counts.Min(x => x[c]), 0, 1);
        int[] sizes = Enumerable.Range(0, k).Select(f => a.TrainTest(f).Test.Count).ToArray();
        Assert.InRange(sizes.Max() - sizes.Min(), 0, 1);
    }

    [Fact]
    public void Same_seed_gives_the_same_assignment_and_another_seed_a_different_one()
    {
        var (keys, labels) = Synthetic();
        int[] groups = Singletons(keys.Length);
        var first = StratifiedKFold.Split(keys, labels, groups, 5, 7).Folds;
        Assert.Equal(first, StratifiedKFold.Split(keys, labels, groups, 5, 7).Folds);
        Assert.NotEqual(first, StratifiedKFold.Split(keys, labels, groups, 5, 8).Folds);
    }

    [Fact]
    public void Shuffled_input_order_gives_the_same_fold_per_item()
    {
        var (keys, labels) = Synthetic();
        FoldAssignment a = StratifiedKFold.Split(keys, labels, Singletons(keys.Length), 5, 3);
        int[] perm = Enumerable.Range(0, keys.Length).OrderBy(i => (i * 7919) % 101).ThenByDescending(i => i).ToArray();
        FoldAssignment b = StratifiedKFold.Split(perm.Select(i => keys[i]).ToArray(), perm.Select(i => labels[i]).ToArray(), perm.Select(i => 1000 + i).ToArray(), 5, 3);
        for (int j = 0; j < perm.Length; j++) Assert.Equal(a.Folds[perm[j]], b.Folds[j]);
    }

    [Fact]
    public void Duplicate_groups_share_a_fold_and_never_straddle_train_and_test()
    {
        var (keys, labels) = Synthetic();
        int[] groups = Singletons(keys.Length);
        for (int i = 0; i + 9 < keys.Length; i += 10) groups[i + 9] = groups[i]; // pairs, some across classes
        groups[20] = groups[21] = groups[22] = groups[20];
        FoldAssignment a = StratifiedKFold.Split(keys, labels, groups, 4, 11);
        foreach (var g in Enumerable.Range(0, keys.Length).GroupBy(i => groups[i]))
            Assert.Single(g.Select(i => a.Folds[i]).Distinct());
        for (int f = 0; f < 4; f++)
        {
            TrainTestSplit s = a.TrainTest(f);
            Assert.Empty(s.Train.Intersect(s.Test));
            Assert.Equal(keys.Length, s.Train.Count + s.Test.Count);
            Assert.Empty(s.Train.Select(i => groups[i]).Intersect(s.Test.Select(i => groups[i])));
        }
        int[][] counts = Enumerable.Range(0, 4).Select(a.ClassCounts).ToArray();
        for (int c = 0; c < 7; c++) Assert.InRange(counts.Max(x => x[c]) - counts.Min(x => x[c]), 0, 2);
    }

    [Fact]
    public void Byte_identical_files_land_in_one_fold()
    {
        using var t = new TempTree();
        for (int i = 0; i < 30; i++) t.File($"basophil/BA_{i:00}.jpg", $"basophil {i}");
        for (int i = 0; i < 30; i++) t.File($"monocyte/MO_{i:00}.jpg", $"monocyte {i}");
        for (int i = 0; i < 6; i++) t.File($"monocyte/MO_copy{i}.jpg", $"monocyte {i}");
        t.File("basophil/BA_copy_of_monocyte.jpg", "monocyte 3");
        Dataset d = DatasetReader.Open("acevedo20", t.Root);
        for (int seed = 0; seed < 5; seed++)
        {
            FoldAssignment a = StratifiedKFold.Split(d.Items, 5, seed);
            int FoldOf(string rel) => a.Folds[d.Items.ToList().FindIndex(i => i.RelativePath == rel)];
            for (int i = 0; i < 6; i++) Assert.Equal(FoldOf($"monocyte/MO_{i:00}.jpg"), FoldOf($"monocyte/MO_copy{i}.jpg"));
            Assert.Equal(FoldOf("monocyte/MO_03.jpg"), FoldOf("basophil/BA_copy_of_monocyte.jpg"));
        }
    }

    [Fact]
    public void Validation_hold_out_is_stratified_disjoint_from_test_and_keeps_groups_whole()
    {
        var (keys, labels) = Synthetic();
        int[] groups = Singletons(keys.Length);
        groups[60] = groups[61];
        FoldAssignment a = StratifiedKFold.Split(keys, labels, groups, 5, 5);
        for (int f = 0; f < 5; f++)
        {
            TrainValidationTestSplit s = a.TrainValidationTest(f, 0.2, 9);
            Assert.Empty(s.Validation.Intersect(s.Test));
            Assert.Empty(s.Validation.Intersect(s.Train));
            Assert.Empty(s.Train.Intersect(s.Test));
            Assert.Equal(keys.Length, s.Train.Count + s.Validation.Count + s.Test.Count);
            Assert.Equal(a.TrainTest(f).Test, s.Test);
            Assert.Empty(s.Train.Select(i => groups[i]).Intersect(s.Validation.Select(i => groups[i])));
            foreach (var cls in a.TrainTest(f).Train.GroupBy(i => labels[i]))
            {
                int expected = (int)Math.Round(0.2 * cls.Count(), MidpointRounding.AwayFromZero);
                Assert.InRange(s.Validation.Count(i => labels[i] == cls.Key), expected - 1, expected);
            }
        }
        Assert.Equal(a.TrainValidationTest(2, 0.2, 9), a.TrainValidationTest(2, 0.2, 9), new SplitComparer());
        Assert.NotEqual(a.TrainValidationTest(2, 0.2, 9).Validation, a.TrainValidationTest(2, 0.2, 10).Validation);
    }

    [Fact]
    public void Bad_split_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedKFold.Split(["a"], [0], [0], 1, 0));
        Assert.Throws<ArgumentException>(() => StratifiedKFold.Split(["a", "a"], [0, 0], [0, 1], 2, 0));
        FoldAssignment a = StratifiedKFold.Split(["a", "b"], [0, 0], [0, 1], 2, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.TrainTest(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.TrainValidationTest(0, 1.0, 0));
    }

    [SkippableFact]
    public void Acevedo20_split_is_stratified_and_keeps_the_byte_identical_pairs_together()
    {
        Dataset d = Acevedo20Data.Dataset;
        int[] groups = DuplicateGroups.FromKeys(Acevedo20Data.ContentHashes);
        FoldAssignment a = StratifiedKFold.Split(d.Items, groups, 5, 2024);
        var duplicates = Enumerable.Range(0, d.Items.Count).GroupBy(i => groups[i]).Where(g => g.Count() > 1).ToList();
        // The check below means something only if there are duplicates: Acevedo-20 files one cell under two labels.
        Assert.NotEmpty(duplicates);
        int Index(string path) => d.Items.Select((item, i) => (item, i)).Single(p => p.item.RelativePath == path).i;
        int eosinophil = Index("eosinophil/EO_225902.jpg"), neutrophil = Index("neutrophil/BNE_191112.jpg");
        Assert.Equal(groups[eosinophil], groups[neutrophil]);
        Assert.NotEqual(d.Items[eosinophil].Label, d.Items[neutrophil].Label);
        Assert.Equal(a.Folds[eosinophil], a.Folds[neutrophil]);
        foreach (var g in duplicates)
            Assert.Single(g.Select(i => a.Folds[i]).Distinct());
        int[][] counts = Enumerable.Range(0, 5).Select(a.ClassCounts).ToArray();
        for (int c = 0; c < counts[0].Length; c++) Assert.InRange(counts.Max(x => x[c]) - counts.Min(x => x[c]), 0, 1);
    }

    private sealed class SplitComparer : IEqualityComparer<TrainValidationTestSplit>
    {
        public bool Equals(TrainValidationTestSplit? x, TrainValidationTestSplit? y) =>
            x!.Train.SequenceEqual(y!.Train) && x.Validation.SequenceEqual(y.Validation) && x.Test.SequenceEqual(y.Test);

        public int GetHashCode(TrainValidationTestSplit obj) => obj.Test.Count;
    }
}
