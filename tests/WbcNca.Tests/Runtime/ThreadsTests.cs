using WbcNca.Data;
using WbcNca.Runtime;
using WbcNca.Tests.Cli;
using WbcNca.Tests.Imaging;
using WbcNca.Training;
using static TorchSharp.torch;

namespace WbcNca.Tests.Runtime;

/// <summary><c>--threads</c> reaches libtorch (and the fused engine, which takes libtorch's count) and bounds the decoders.</summary>
[Collection(TorchCollection.Name)]
public sealed class ThreadsTests
{
    [Fact]
    public void The_threads_setting_sets_libtorch_and_the_library_thread_count()
    {
        int before = get_num_threads();
        try
        {
            TorchRuntime.Initialize(1);
            Assert.Equal((1, 1), (get_num_threads(), TorchRuntime.Threads));
            TorchRuntime.Initialize(2);
            Assert.Equal((2, 2), (get_num_threads(), TorchRuntime.Threads));
        }
        finally
        {
            TorchRuntime.Initialize(before);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Decoding_a_data_set_runs_at_most_the_given_number_of_decoders_at_once(int threads)
    {
        using var dir = new TempFolder();
        var items = Enumerable.Range(0, 24)
            .Select(i => new LabeledImage(dir.Write($"{i}.png", TestImages.Png(TestImages.Pattern(12, 12))), $"{i}.png", 0, LabelLevel.Fine, "x"))
            .ToArray();
        int inside = 0, most = 0;
        // The progress callback runs on the decoding worker right after its image: overlapping callbacks mean overlapping workers.
        var cache = ImageCache.Load(items, 8, threads, progress: _ =>
        {
            int now = Interlocked.Increment(ref inside);
            int seen;
            while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen) { }
            Thread.Sleep(10);
            Interlocked.Decrement(ref inside);
        });
        Assert.Equal(24, cache.Count);
        Assert.InRange(most, 1, threads);
    }

    [Fact]
    public void A_thread_count_below_one_is_refused_with_one_line()
    {
        var r = CliProcess.Run("predict", "--threads", "0", "cell.png");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: --threads must be ≥ 1 (got 0)", Assert.Single(r.StderrLines));
    }
}
