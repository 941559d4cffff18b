using System.Diagnostics;
using System.Globalization;

namespace WbcNca.Cli;

/// <summary>
/// A one-line progress report on stderr with rate and ETA, redrawn in place on a terminal and
/// printed every few seconds otherwise (so logs of long runs stay readable). Silent for small jobs.
/// </summary>
public sealed class ProgressReporter
{
    private readonly string label;
    private readonly long total;
    private readonly bool enabled;
    private readonly bool interactive = !Console.IsErrorRedirected;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long done;
    private TimeSpan lastDraw = TimeSpan.FromDays(-1);   // "long ago"; MinValue would overflow in now − lastDraw

    private ProgressReporter(string label, long total, bool enabled)
    {
        this.label = label;
        this.total = total;
        this.enabled = enabled;
    }

    /// <summary>A reporter for <paramref name="total"/> items; disabled for fewer than <paramref name="minimum"/>.</summary>
    public static ProgressReporter ForItems(string label, long total, long minimum = 64) => new(label, total, total >= minimum);

    /// <summary>Text of the current state, e.g. "predicting 320/1000 (32%) 12.5/s ETA 0:54".</summary>
    public string Describe()
    {
        double seconds = clock.Elapsed.TotalSeconds;
        double rate = seconds > 0 ? done / seconds : 0;
        string eta = rate > 0 && total > done ? TimeSpan.FromSeconds((total - done) / rate).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : "-";
        return string.Create(CultureInfo.InvariantCulture, $"{label} {done}/{total} ({100.0 * done / Math.Max(total, 1):0}%) {rate:0.0}/s ETA {eta}");
    }

    /// <summary>Counts <paramref name="n"/> more items done.</summary>
    public void Advance(long n)
    {
        done += n;
        if (!enabled) return;
        TimeSpan now = clock.Elapsed;
        if (now - lastDraw < (interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(10))) return;
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
