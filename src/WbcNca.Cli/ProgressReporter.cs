using System.Diagnostics;
using System.Globalization;

namespace WbcNca.Cli;

/// <summary>
/// A one-line progress report on stderr with rate and ETA, redrawn in place on a terminal and
/// printed every few seconds otherwise (so logs of long runs stay readable). Silent for small jobs.
/// </summary>
/// <remarks>
/// The rate leaves out the first chunk of work (the items reported within <see cref="FirstChunk"/> of the first one),
/// which carries the warm-up (libtorch, the model, code compiled on first use) and arrives all at once when items are
/// processed in batches. Until as many items again (at least <see cref="MinimumMeasured"/>) have followed, the report
/// says "ETA estimating" and shows no rate.
/// </remarks>
public sealed class ProgressReporter
{
    /// <summary>Items reported within this time of the first belong to the first chunk.</summary>
    public static readonly TimeSpan FirstChunk = TimeSpan.FromMilliseconds(20);

    /// <summary>Items after the first chunk needed (at least) before there is a rate.</summary>
    public const int MinimumMeasured = 3;

    private readonly string label;
    private readonly long total;
    private readonly bool enabled;
    private readonly bool interactive = !Console.IsErrorRedirected;
    private readonly Func<TimeSpan> clock;
    private long done;
    private TimeSpan? lastDraw;
    private TimeSpan? firstAt;          // when the first item was reported
    private bool firstChunkOver;
    private TimeSpan baseTime;         // the end of the first chunk: the rate counts from here
    private long baseDone;

    private ProgressReporter(string label, long total, bool enabled, Func<TimeSpan> clock)
    {
        this.label = label;
        this.total = total;
        this.enabled = enabled;
        this.clock = clock;
    }

    /// <summary>
    /// A reporter for <paramref name="total"/> items; disabled for fewer than <paramref name="minimum"/>. Time comes from
    /// <paramref name="clock"/> (the time since start; a stopwatch started now when null).
    /// </summary>
    public static ProgressReporter ForItems(string label, long total, long minimum = 64, Func<TimeSpan>? clock = null)
    {
        if (clock is null)
        {
            var watch = Stopwatch.StartNew();
            clock = () => watch.Elapsed;
        }
        return new(label, total, total >= minimum, clock);
    }

    /// <summary>Text of the current state, e.g. "predicting 320/1000 (32%) 12.5/s ETA 0:00:54" or "predicting 16/1000 (2%) ETA estimating".</summary>
    public string Describe()
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"{label} {done}/{total} ({100.0 * done / Math.Max(total, 1):0}%)");
        if (Rate() is not double rate) return done >= total ? head : $"{head} ETA estimating";
        string eta = total > done ? TimeSpan.FromSeconds((total - done) / rate).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : "-";
        return string.Create(CultureInfo.InvariantCulture, $"{head} {rate:0.0}/s ETA {eta}");
    }

    // Items per second after the first chunk; null until enough have followed it.
    private double? Rate()
    {
        if (!firstChunkOver) return null;
        long measured = done - baseDone;
        double seconds = (clock() - baseTime).TotalSeconds;
        return measured >= Math.Max(MinimumMeasured, baseDone) && seconds > 0 ? measured / seconds : null;
    }

    /// <summary>Counts <paramref name="n"/> more items done.</summary>
    public void Advance(long n)
    {
        done += n;
        TimeSpan now = clock();
        if (firstAt is null) firstAt = now;
        if (!firstChunkOver)
        {
            if (now - firstAt.Value <= FirstChunk) { baseTime = now; baseDone = done; }
            else firstChunkOver = true;
        }
        if (!enabled) return;
        if (lastDraw is TimeSpan last && now - last < (interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(10))) return;
        lastDraw = now;
        if (interactive) Console.Error.Write($"\r{Describe()}   ");
        else Console.Error.WriteLine(Describe());
    }

    /// <summary>Ends the line.</summary>
    public void Done()
    {
        if (!enabled) return;
        if (interactive) Console.Error.Write($"\r{Describe()}   \n");
        else Console.Error.WriteLine(Describe());
    }
}
