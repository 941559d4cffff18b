using WbcNca.Evaluation;

namespace WbcNca.Tests.Evaluation;

public class PopulationEstimateTests
{
    private static readonly string[] Names = ["a", "b", "c"];

    [Fact]
    public void Recall_per_class_is_weighted_by_the_whole_sets_class_sizes()
    {
        // Subset: 10 of each class; recalls a 10/10, b 5/10, c 0/10 (c present in the subset only).
        int[] truth = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 10), .. Enumerable.Repeat(2, 10)];
        int[] predicted = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 5), .. Enumerable.Repeat(0, 5), .. Enumerable.Repeat(1, 10)];
        var m = ClassificationMetrics.From(Names, truth, predicted);
        Assert.Equal(0.5, m.Accuracy, 12);
        // Whole set: 300 a, 100 b, 0 c → (1·300 + 0.5·100) / 400.
        Assert.Equal(350.0 / 400.0, PopulationEstimate.Weighted(m, [300, 100, 0]), 12);
        // With c in the whole set too: (300 + 50 + 0) / 500.
        Assert.Equal(350.0 / 500.0, PopulationEstimate.Weighted(m, [300, 100, 100]), 12);
    }

    [Fact]
    public void The_estimate_over_seeds_gives_mean_and_spread()
    {
        int[] truth = [0, 0, 1, 1];
        var s1 = ClassificationMetrics.From(Names, truth, [0, 0, 1, 1]);   // recalls 1, 1 → 1
        var s2 = ClassificationMetrics.From(Names, truth, [0, 1, 0, 1]);   // recalls 0.5, 0.5 → 0.5
        var e = PopulationEstimate.From([s1, s2], [3, 1, 0]);
        Assert.Equal(0.75, e.Accuracy, 12);
        Assert.Equal(0.25, e.AccuracyStd, 12);
        Assert.Equal(4L, (long)e.ToJsonObject()["images"]);
    }

    [Fact]
    public void Counts_that_do_not_fit_the_classes_are_refused()
    {
        var m = ClassificationMetrics.From(Names, [0], [0]);
        Assert.Throws<ArgumentException>(() => PopulationEstimate.Weighted(m, [1, 2]));
        Assert.Throws<ArgumentException>(() => PopulationEstimate.Weighted(m, [0, 5, 5]));
    }
}
