using System.Diagnostics;
using System.Runtime.InteropServices;

namespace WbcNca.Tests.Cli;

/// <summary>Runs the real <c>wbc-nca</c> program (built next to the tests) as a child process.</summary>
public static class CliProcess
{
    /// <summary>Exit code, standard output and standard error of one run.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>A started run whose output is collected while it runs.</summary>
    public sealed class Running : IDisposable
    {
        private readonly Process process;
        private readonly Task<string> stdout;
        private readonly Task<string> stderr;
        private readonly string description;

        internal Running(Process process, string description)
        {
            this.process = process;
            this.description = description;
            stdout = process.StandardOutput.ReadToEndAsync();
            stderr = process.StandardError.ReadToEndAsync();
        }

        public int Id => process.Id;

        public bool HasExited => process.HasExited;

        /// <summary>Sends a POSIX signal (e.g. 2 = SIGINT, as Ctrl-C; 9 = SIGKILL).</summary>
        public void Signal(int signal)
        {
            if (kill(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        /// <summary>Waits for the end (at most <paramref name="limit"/>) and returns what it printed.</summary>
        public Result Wait(TimeSpan? limit = null)
        {
            if (!process.WaitForExit(limit ?? TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{description} did not finish in time");
            }
            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }

        public void Dispose()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int sig);
    }

    /// <summary>
    /// True when this process ignores SIGINT (bit 2 of the SigIgn mask in /proc/self/status), which every child started
    /// from it inherits: e.g. the tests were started in the background by a shell without job control.
    /// </summary>
    public static bool SigIntIgnored
    {
        get
        {
            string? line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
            return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0;
        }
    }

    public static Result Run(params string[] args)
    {
        using var running = Start(args);
        return running.Wait();
    }

    /// <summary>Starts <c>wbc-nca</c> with <paramref name="args"/> and returns at once.</summary>
    public static Running Start(params string[] args) => Start(null, args);

    /// <summary>Runs <c>wbc-nca</c> with these variables set (a null value removes one) in its environment.</summary>
    public static Result RunWith(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var running = Start(null, args, environment);
        return running.Wait(TimeSpan.FromMinutes(6));
    }

    /// <summary>
    /// Runs <c>wbc-nca</c> under a file size limit of <paramref name="kilobytes"/> (<c>ulimit -f</c>, with SIGXFSZ
    /// ignored so that a write past it fails with EFBIG, as a write to a full disk fails with ENOSPC).
    /// </summary>
    public static Result RunWithFileSizeLimit(int kilobytes, params string[] args)
    {
        // The runtime's W^X double mapping needs a large memory file, which the limit would forbid.
        using var running = Start($"trap '' XFSZ; ulimit -f {kilobytes}; export DOTNET_EnableWriteXorExecute=0; exec \"$0\" \"$@\"", args);
        return running.Wait();
    }

    /// <summary>Runs <c>wbc-nca</c> with its standard output sent to <paramref name="path"/> (e.g. /dev/full).</summary>
    public static Result RunWithStdoutTo(string path, params string[] args)
    {
        using var running = Start($"exec \"$0\" \"$@\" > '{path}'", args);
        return running.Wait();
    }

    private static Running Start(string? shell, string[] args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "wbc-nca.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(shell is null ? dotnet : "/bin/bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),   // no default model is found from here
        };
        if (shell is not null)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(shell);
            info.ArgumentList.Add(dotnet);
        }
        info.ArgumentList.Add(dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["GLIBC_TUNABLES"] = WbcNca.Runtime.NativeAllocator.GlibcTunables;
        info.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return new Running(Process.Start(info)!, $"wbc-nca {string.Join(' ', args)}");
    }
}
