using System.Globalization;
using System.Text;
using WbcNca.IO;

namespace WbcNca.Runs;

/// <summary>
/// A Slurm batch script as a plain file that people can read, edit and submit by hand: a comment saying what it does,
/// its <c>#SBATCH</c> lines (name, log file, array and throttle, resources), the environment that <c>./wbc-nca</c> sets
/// for libtorch (glibc malloc tunables, the OpenMP wait policy) and the commands. <see cref="Sbatch"/> submits it.
/// </summary>
/// <param name="Name">Job name (<c>--job-name</c>).</param>
/// <param name="ScriptPath">Where the script is written.</param>
/// <param name="Log">The log file (<c>--output</c>, with Slurm's <c>%A</c> array job, <c>%a</c> task and <c>%j</c> job id patterns); standard error goes there too.</param>
/// <param name="About">Comment lines at the top: what the job does and how to submit it.</param>
/// <param name="Options">Resources and other <c>sbatch</c> options, each as one <c>--NAME=VALUE</c> word.</param>
/// <param name="Environment">Variables exported before the commands, after the allocator settings.</param>
/// <param name="Commands">The shell lines that do the work.</param>
public sealed record SlurmJob(string Name, string ScriptPath, string Log, IReadOnlyList<string> About, IReadOnlyList<string> Options,
    IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string> Commands)
{
    /// <summary>The array spec (<c>--array</c>), e.g. "0-3,7%2"; null for a plain job.</summary>
    public string? Array { get; init; }

    /// <summary>
    /// The <c>--array</c> spec of <paramref name="indices"/>: runs of consecutive indices as ranges ("0-3,7,9-10"),
    /// with "%N" when at most <paramref name="maxParallel"/> tasks may run at once.
    /// </summary>
    public static string ArraySpec(IEnumerable<int> indices, int? maxParallel)
    {
        int[] sorted = indices.Distinct().Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("an array job needs at least one index", nameof(indices));
        var parts = new List<string>();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? sorted[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{sorted[i]}-{sorted[j]}"));
            i = j + 1;
        }
        string spec = string.Join(',', parts);
        return maxParallel is int n ? string.Create(CultureInfo.InvariantCulture, $"{spec}%{n}") : spec;
    }

    /// <summary>The script's text.</summary>
    public string Text()
    {
        var sb = new StringBuilder("#!/bin/bash\n");
        foreach (string line in About) sb.Append("# ").Append(line).Append('\n');
        sb.Append("#SBATCH --job-name=").Append(Name).Append('\n');
        sb.Append("#SBATCH --output=").Append(Log).Append('\n');
        if (Array is not null) sb.Append("#SBATCH --array=").Append(Array).Append('\n');
        foreach (string option in Options) sb.Append("#SBATCH ").Append(option).Append('\n');
        sb.Append("set -euo pipefail\n");
        sb.Append("# libtorch's allocator and OpenMP settings, as ./wbc-nca sets them (src/WbcNca/Runtime).\n");
        sb.Append("export GLIBC_TUNABLES=").Append(ShellWords.Quote(Runtime.NativeAllocator.GlibcTunables)).Append('\n');
        sb.Append("export OMP_WAIT_POLICY=").Append(Runtime.OpenMpWaitPolicy.Policy).Append('\n');
        sb.Append("export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1\n");
        foreach (var (name, value) in Environment) sb.Append("export ").Append(name).Append('=').Append(ShellWords.Quote(value)).Append('\n');
        foreach (string command in Commands) sb.Append(command).Append('\n');
        return sb.ToString();
    }

    /// <summary>Writes the script (atomically, executable) and its log folder.</summary>
    public void Write()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(ScriptPath))!);
        if (Path.GetDirectoryName(Log) is { Length: > 0 } logs) Directory.CreateDirectory(logs);
        AtomicFile.WriteAllText(ScriptPath, Text());
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(ScriptPath, File.GetUnixFileMode(ScriptPath) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }
}
