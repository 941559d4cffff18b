using System.Diagnostics;

namespace WbcNca.Runs;

/// <summary>
/// Slurm's command-line tools as this program uses them: <c>sbatch --parsable</c> to submit a script (with an
/// <c>afterany</c> dependency), <c>squeue</c> to see whether jobs are still queued or running. Failures are
/// <see cref="WbcNcaException"/>s with Slurm's own message.
/// </summary>
public static class Sbatch
{
    /// <summary>True when <c>sbatch</c> is on the PATH.</summary>
    public static bool IsInstalled => OnPath("sbatch") is not null;

    /// <summary>The full path of <paramref name="program"/> on the PATH, or null.</summary>
    public static string? OnPath(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    /// <summary>
    /// Submits <paramref name="script"/>; with <paramref name="afterAny"/>, the job starts once those jobs have ended,
    /// whatever their outcome (<c>--dependency=afterany:ID</c>). Returns the job id.
    /// </summary>
    /// <exception cref="WbcNcaException">sbatch is missing or refused the script (its message is part of the error).</exception>
    public static string Submit(string script, string? afterAny = null)
    {
        if (!IsInstalled) throw WbcNcaException.ForFile(script, "cannot submit: Slurm's sbatch is not on the PATH (--dry-run writes the job scripts without submitting them)");
        var args = new List<string> { "--parsable" };
        if (afterAny is not null) args.Add($"--dependency=afterany:{afterAny}");
        args.Add(script);
        var (code, stdout, stderr) = Run("sbatch", args, TimeSpan.FromMinutes(2));
        string id = stdout.Trim().Split('\n').LastOrDefault()?.Split(';')[0].Trim() ?? "";
        if (code != 0 || id.Length == 0 || !id.All(char.IsAsciiDigit))
            throw WbcNcaException.ForFile(script, $"sbatch refused it: {LastLine(stderr, stdout)}");
        return id;
    }

    /// <summary>The jobs among <paramref name="ids"/> that are still pending or running (array jobs count while any task is).</summary>
    /// <exception cref="WbcNcaException">squeue failed for another reason than jobs that are gone.</exception>
    public static IReadOnlyList<string> Active(IReadOnlyList<string> ids)
    {
        if (ids.Count == 0) return [];
        var (code, stdout, stderr) = Run("squeue", ["--noheader", "--array", "--format=%F %T", $"--jobs={string.Join(',', ids)}"], TimeSpan.FromMinutes(1));
        if (code != 0)
        {
            // Jobs that ended long ago are unknown to squeue: that is an answer, not a failure.
            if (stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return [];
            throw new WbcNcaException($"squeue failed: {LastLine(stderr, stdout)}");
        }
        var active = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[1] is not ("COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT" or "OUT_OF_MEMORY" or "NODE_FAIL" or "PREEMPTED" or "BOOT_FAIL" or "DEADLINE"))
                active.Add(parts[0]);
        }
        return ids.Where(active.Contains).ToArray();
    }

    /// <summary>Waits until none of <paramref name="ids"/> is pending or running, polling every <paramref name="poll"/>; false after <paramref name="limit"/>.</summary>
    public static bool Wait(IReadOnlyList<string> ids, TimeSpan poll, TimeSpan? limit = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        while (Active(ids).Count > 0)
        {
            if (limit is { } l && clock.Elapsed > l) return false;
            if (cancel.WaitHandle.WaitOne(poll)) return false;
        }
        return true;
    }

    private static string LastLine(string stderr, string stdout)
    {
        string text = stderr.Trim().Length > 0 ? stderr : stdout;
        return text.Trim().Split('\n').LastOrDefault()?.Trim() is { Length: > 0 } line ? line : "no message";
    }

    private static (int Code, string Stdout, string Stderr) Run(string program, IReadOnlyList<string> args, TimeSpan limit)
    {
        var info = new ProcessStartInfo(OnPath(program) ?? program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        Process? started;
        try { started = Process.Start(info); }
        catch (System.ComponentModel.Win32Exception e) { throw new WbcNcaException($"{program} could not be started ({e.Message}); is Slurm's client installed here?"); }
        using var process = started ?? throw new WbcNcaException($"{program} could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new WbcNcaException($"{program} did not answer within {limit.TotalSeconds:0} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
