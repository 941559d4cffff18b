using WbcNca.Data;

namespace WbcNca.Tests.Data;

public sealed class PerClassSampleTests
{
    [Fact]
    public void Cells_are_chosen_per_class_by_the_seed_and_a_small_class_gives_what_it_has()
    {
        int[] labels = [0, 0, 0, 1, 2, 2, 2, 2];
        var (fit, rest) = PerClassSample.Choose(labels, 2, seed: 5);
        Assert.Equal(5, fit.Length);                                    // 2 + 1 + 2
        Assert.Equal(fit, PerClassSample.Choose(labels, 2, seed: 5).Chosen);
        Assert.Equal(8, fit.Concat(rest).Distinct().Count());
        Assert.Equal((8, 0), (PerClassSample.Choose(labels, 0, 1).Chosen.Length, PerClassSample.Choose(labels, 0, 1).Others.Length));
    }
}
