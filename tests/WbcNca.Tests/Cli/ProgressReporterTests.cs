using WbcNca.Cli;

namespace WbcNca.Tests.Cli;

public class ProgressReporterTests
{
    [Fact]
    public void Progress_for_a_large_job_advances_from_the_first_report_on_without_overflowing()
    {
        // The first Advance of an enabled reporter once computed now − TimeSpan.MinValue and overflowed.
        var progress = ProgressReporter.ForItems("explaining", 10, minimum: 1);
        var saved = Console.Error;
        Console.SetError(TextWriter.Null);
        try
        {
            for (int i = 0; i < 10; i++) progress.Advance(1);
            progress.Done();
        }
        finally { Console.SetError(saved); }
        Assert.StartsWith("explaining 10/10 (100%)", progress.Describe());
    }

    [Fact]
    public void A_batch_of_items_with_the_warm_up_gives_no_eta_and_the_rate_leaves_it_out()
    {
        // 16 items at once after 10 s of warm-up, then 16 more every 2 s: 8 items/s, not 32 items in 12 s.
        TimeSpan now = TimeSpan.Zero;
        var progress = ProgressReporter.ForItems("predicting", 100, minimum: 1000, clock: () => now);
        now = TimeSpan.FromSeconds(10);
        for (int i = 0; i < 16; i++) progress.Advance(1);
        Assert.Equal("predicting 16/100 (16%) ETA estimating", progress.Describe());
        now = TimeSpan.FromSeconds(11);
        for (int i = 0; i < 8; i++) progress.Advance(1);
        Assert.Equal("predicting 24/100 (24%) ETA estimating", progress.Describe());   // fewer than the first batch since
        now = TimeSpan.FromSeconds(12);
        for (int i = 0; i < 8; i++) progress.Advance(1);
        Assert.Equal("predicting 32/100 (32%) 8.0/s ETA 0:00:08", progress.Describe());   // 68 left at 8/s
    }

    [Fact]
    public void Items_one_at_a_time_get_a_rate_after_three_more_than_the_first()
    {
        TimeSpan now = TimeSpan.FromSeconds(30);   // the first item carries the start-up
        var progress = ProgressReporter.ForItems("explaining", 20, minimum: 1000, clock: () => now);
        progress.Advance(1);
        for (int i = 1; i <= 3; i++)
        {
            Assert.EndsWith("ETA estimating", progress.Describe());
            now += TimeSpan.FromSeconds(0.5);
            progress.Advance(1);
        }
        Assert.Equal("explaining 4/20 (20%) 2.0/s ETA 0:00:08", progress.Describe());
    }
}
