using WbcNca.Training;

namespace WbcNca.Tests.Training;

public class BalancedSamplerTests
{
    // 3 classes: 2, 10 and 50 items.
    private static readonly int[] Labels = [.. Enumerable.Repeat(0, 2), .. Enumerable.Repeat(1, 10), .. Enumerable.Repeat(2, 50)];

    [Fact]
    public void Every_class_gets_the_same_number_of_draws_per_epoch()
    {
        var sampler = new BalancedSampler(Labels, epochSize: 60);
        int[] epoch = sampler.Epoch(7);
        Assert.Equal(60, epoch.Length);
        var counts = epoch.GroupBy(i => Labels[i]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([0, 1, 2], counts.Keys.Order());
        Assert.All(counts.Values, c => Assert.Equal(20, c));
    }

    [Fact]
    public void A_small_class_is_oversampled_using_every_one_of_its_items_evenly()
    {
        var sampler = new BalancedSampler(Labels, epochSize: 60);
        var small = sampler.Epoch(3).Where(i => Labels[i] == 0).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<int, int> { [0] = 10, [1] = 10 }, small);
    }

    [Fact]
    public void A_big_class_is_undersampled_without_repeats_and_differently_each_epoch()
    {
        var sampler = new BalancedSampler(Labels, epochSize: 60);
        int[] a = sampler.Epoch(1).Where(i => Labels[i] == 2).ToArray();
        int[] b = sampler.Epoch(2).Where(i => Labels[i] == 2).ToArray();
        Assert.Equal(20, a.Distinct().Count());
        Assert.NotEqual(a.Order(), b.Order());
    }

    [Fact]
    public void The_same_seed_gives_the_same_epoch()
    {
        var sampler = new BalancedSampler(Labels, epochSize: 33);
        Assert.Equal(sampler.Epoch(5), sampler.Epoch(5));
        Assert.Equal(33, sampler.EpochSize);
    }
}
