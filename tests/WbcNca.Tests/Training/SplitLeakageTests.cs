using WbcNca.Data;

namespace WbcNca.Tests.Training;

public class SplitLeakageTests
{
    private static LabeledImage Item(string name, int label) => new($"/x/{name}", name, label, LabelLevel.Fine, "x");

    [Fact]
    public void Train_validation_and_test_parts_are_disjoint_cover_everything_and_keep_duplicates_together()
    {
        var items = Enumerable.Range(0, 120).Select(i => Item($"c{i % 4}/{i:000}.jpg", i % 4)).ToArray();
        // Items 0 and 4, and 1, 5 and 9, are byte-identical duplicates.
        int[] groups = Enumerable.Range(0, 120).ToArray();
        groups[4] = 0;
        groups[5] = 1;
        groups[9] = 1;
        var folds = StratifiedKFold.Split(items, groups, 5, seed: 3);
        for (int f = 0; f < 5; f++)
        {
            var split = folds.TrainValidationTest(f, 0.1, 3);
            var all = split.Train.Concat(split.Validation).Concat(split.Test).ToArray();
            Assert.Equal(120, all.Length);
            Assert.Equal(120, all.Distinct().Count());
            string Part(int i) => split.Train.Contains(i) ? "train" : split.Validation.Contains(i) ? "validation" : "test";
            Assert.Equal(Part(0), Part(4));
            Assert.Equal(Part(1), Part(5));
            Assert.Equal(Part(1), Part(9));
            Assert.NotEmpty(split.Validation);
        }
        var tests = Enumerable.Range(0, 5).SelectMany(f => folds.TrainTest(f).Test).ToArray();
        Assert.Equal(120, tests.Distinct().Count());
    }

    [Fact]
    public void A_per_class_limit_keeps_at_most_that_many_of_each_class_and_is_fixed_by_its_seed()
    {
        var items = Enumerable.Range(0, 50).Select(i => Item($"{i:000}.jpg", i < 40 ? 0 : 1)).ToArray();
        var a = PerClassSample.Limit(items, 5, 7);
        Assert.Equal(5, a.Count(i => i.Label == 0));
        Assert.Equal(5, a.Count(i => i.Label == 1));
        Assert.Equal(a, PerClassSample.Limit(items, 5, 7));
        Assert.NotEqual(a.Select(i => i.RelativePath), PerClassSample.Limit(items, 5, 8).Select(i => i.RelativePath));
    }
}
