using WbcNca.Training;

namespace WbcNca.Tests.Training;

public class TrainingEtaTests
{
    [Fact]
    public void There_is_no_estimate_until_three_batches_after_the_two_warm_up_batches()
    {
        var eta = new TrainingEta();
        for (int i = 0; i < 4; i++)
        {
            eta.Batch(i == 0 ? 900 : 1);
            Assert.Null(eta.EpochLeft(10));
            Assert.Null(eta.RunLeft(10, 2, 100));
        }
        eta.Batch(1);
        Assert.NotNull(eta.EpochLeft(10));
    }

    [Fact]
    public void A_slow_first_batch_does_not_count_in_the_rate()
    {
        // The first batch took 15 minutes (warm-up), the second 5 s; then 2 s a batch.
        var eta = new TrainingEta();
        foreach (double s in new[] { 900.0, 5, 2, 2, 2 }) eta.Batch(s);
        Assert.Equal(2.0, eta.SecondsPerBatch);
        Assert.Equal(TimeSpan.FromSeconds(20), eta.EpochLeft(10));
        Assert.Equal(TimeSpan.FromSeconds(2 * (10 + 2 * 100)), eta.RunLeft(10, 2, 100));
    }

    [Fact]
    public void Once_an_epoch_end_was_timed_the_run_estimate_adds_it_for_this_epoch_and_each_one_after()
    {
        var eta = new TrainingEta();
        foreach (double s in new[] { 900.0, 5, 1, 1, 1 }) eta.Batch(s);
        eta.EpochEnd(30);
        Assert.Equal(TimeSpan.FromSeconds(10 + 2 * 100 + 3 * 30), eta.RunLeft(10, 2, 100));
        Assert.Equal(TimeSpan.FromSeconds(10), eta.EpochLeft(10));
    }
}
