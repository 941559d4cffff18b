using System.Diagnostics;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Model;

namespace WbcNca.Tests.Cli;

/// <summary>
/// What the tests of <c>--slurm</c> share: a stand-in for <c>sbatch</c> that records what it is asked, running a job
/// script by hand as a Slurm task would run (its variables set, its output in its log), a tiny model and training
/// options, and the local cluster (<c>tools/slurm-local.sh</c>) when one is up.
/// </summary>
internal static class SlurmTestKit
{
    /// <summary>Training options that make a tiny model in about a second.</summary>
    public static readonly string[] TinyTraining =
        ["--channels", "8", "--hidden", "16", "--steps", "4", "--image-size", "16", "--epochs", "1", "--epoch-size", "8", "--batch-size", "4",
         "--normalization", "image", "--folds", "3", "--threads", "1"];

    /// <summary>
    /// A folder with an executable <c>sbatch</c> that appends its arguments as one line to <c>calls.txt</c> and answers
    /// job ids 101, 102, … as <c>sbatch --parsable</c> does; returns the environment that puts it first on the PATH.
    /// </summary>
    public static (Dictionary<string, string?> Environment, string Calls) FakeSbatch(string folder)
    {
        Directory.CreateDirectory(folder);
        string calls = Path.Combine(folder, "calls.txt");
        string sbatch = Path.Combine(folder, "sbatch");
        File.WriteAllText(sbatch, $"#!/bin/bash\necho \"$*\" >> '{calls}'\necho $((100 + $(wc -l < '{calls}')))\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(sbatch, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return (new Dictionary<string, string?>
        {
            ["PATH"] = folder + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            ["WBC_NCA_LAUNCHER"] = null,
        }, calls);
    }

    /// <summary>The environment of a run that must not find a launcher (the scripts then start the tests' own build).</summary>
    public static Dictionary<string, string?> Plain() => new() { ["WBC_NCA_LAUNCHER"] = null };

    /// <summary>Runs <paramref name="script"/> with bash as array task <paramref name="task"/> of job <paramref name="job"/>, its output into <paramref name="log"/>; returns the exit code.</summary>
    public static int RunAsTask(string script, string job, int? task, string log)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = false, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec /bin/bash \"$0\" > \"$1\" 2>&1");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(log);
        info.Environment["SLURM_JOB_ID"] = job;
        if (task is int t)
        {
            info.Environment["SLURM_ARRAY_JOB_ID"] = job;
            info.Environment["SLURM_ARRAY_TASK_ID"] = t.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        info.Environment["SLURM_CPUS_PER_TASK"] = "1";
        info.Environment.Remove("WBC_NCA_LAUNCHER");
        using var process = Process.Start(info)!;
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish in time");
        }
        return process.ExitCode;
    }

    /// <summary>A small random NCA of the 13 classes, per-image normalisation, saved at <paramref name="path"/>.</summary>
    public static string TinyModel(string path)
    {
        var config = new NcaConfig(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 16, ClassifierHidden: 12, NumClasses: CellClasses.FineCount);
        using var model = NcaClassifier.Create(config, 1);
        ModelFile.Save(new ModelBundle(model, CellClasses.Fine, Normalization.PerImage, new Dictionary<string, string>()), path);
        return path;
    }

    /// <summary>
    /// The environment that reaches the local cluster (SLURM_CONF, or the configuration tools/slurm-local.sh writes);
    /// skips the test with a message when sbatch is absent or no node answers.
    /// </summary>
    public static Dictionary<string, string?> RequireCluster()
    {
        var (environment, skip) = Cluster.Value;
        Skip.If(skip is not null, skip);
        return new Dictionary<string, string?>(environment!);
    }

    // Asked once per test run: sinfo waits for its timeout when no controller answers.
    private static readonly Lazy<(Dictionary<string, string?>? Environment, string? Skip)> Cluster = new(FindCluster);

    private static (Dictionary<string, string?>? Environment, string? Skip) FindCluster()
    {
        if (global::WbcNca.Runs.Sbatch.OnPath("sbatch") is null)
            return (null, "sbatch is not installed: the Slurm cluster tests need a cluster (tools/slurm-local.sh start installs Slurm and starts a one-node cluster)");
        string? conf = Environment.GetEnvironmentVariable("SLURM_CONF");
        if (string.IsNullOrEmpty(conf))
        {
            string dir = Environment.GetEnvironmentVariable("WBC_NCA_SLURM_DIR") is { Length: > 0 } d ? d : "/tmp/wbc-nca-slurm";
            if (File.Exists(Path.Combine(dir, "slurm.conf"))) conf = Path.Combine(dir, "slurm.conf");
        }
        var info = new ProcessStartInfo("sinfo") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--noheader", "--format=%t" }) info.ArgumentList.Add(a);
        if (conf is not null) info.Environment["SLURM_CONF"] = conf;
        string states = "";
        try
        {
            using var sinfo = Process.Start(info)!;
            states = sinfo.StandardOutput.ReadToEnd();
            sinfo.WaitForExit(TimeSpan.FromSeconds(30));
        }
        catch (System.ComponentModel.Win32Exception) { }
        if (!states.Split('\n').Select(s => s.Trim()).Any(s => s is "idle" or "mix" or "alloc"))
            return (null, "no Slurm cluster is up (sinfo shows no node that takes jobs): start the local one with tools/slurm-local.sh start, or set SLURM_CONF");
        var environment = Plain();
        if (conf is not null) environment["SLURM_CONF"] = conf;
        return (environment, null);
    }
}
