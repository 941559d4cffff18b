using System.Diagnostics;
using System.Text.RegularExpressions;
using WbcNca.Runs;

namespace WbcNca.Tests.Runs;

public sealed class SlurmJobTests
{
    [Fact]
    public void An_array_spec_writes_runs_of_indices_as_ranges_and_the_throttle_after_a_percent_sign()
    {
        Assert.Equal("0-3,7,9-10%2", SlurmJob.ArraySpec([9, 0, 1, 2, 3, 7, 10, 2], 2));
        Assert.Equal("5", SlurmJob.ArraySpec([5], null));
        Assert.Throws<ArgumentException>(() => SlurmJob.ArraySpec([], 1));
    }

    [Fact]
    public void Quoted_words_read_back_in_bash_as_they_were()
    {
        string[] words = ["plain/path-1.png", "with space", "it's", "$HOME", "a\"b", "*.png", "", "semi;colon", "new\nline"];
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("for w in " + ShellWords.Join(words) + "; do printf '<%s>' \"$w\"; done");
        using var bash = Process.Start(info)!;
        string output = bash.StandardOutput.ReadToEnd();
        bash.WaitForExit();
        Assert.Equal(string.Concat(words.Select(w => $"<{w}>")), output);
        Assert.Equal("plain/path-1.png", ShellWords.Quote("plain/path-1.png"));
    }

    [Fact]
    public void A_job_script_exports_the_allocator_and_OpenMP_settings_of_the_launcher_and_names_its_log()
    {
        // The launcher's own defaults, read from the script that people run.
        string launcher = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "wbc-nca"));
        string tunables = Regex.Match(launcher, @"GLIBC_TUNABLES=""\$\{GLIBC_TUNABLES:-([^}]+)\}""").Groups[1].Value;
        string policy = Regex.Match(launcher, @"OMP_WAIT_POLICY=""\$\{OMP_WAIT_POLICY:-([^}]+)\}""").Groups[1].Value;
        Assert.Contains("mmap_max=0", tunables);
        Assert.Equal("PASSIVE", policy);
        var job = new SlurmJob("wbc-nca-x", "/tmp/x/slurm/x.sh", "/tmp/x/logs/x-%A_%a.log", ["What it does."],
            new SlurmOptions(Partition: "gpu", Time: "4:00:00", CpusPerTask: 4, Gres: "gpu:1").Directives(withGres: true),
            new Dictionary<string, string> { ["WBC_NCA_NO_BUILD"] = "1" }, ["exec wbc-nca run-one /tmp/x --index \"$SLURM_ARRAY_TASK_ID\""])
        {
            Array = "0-3%2",
        };
        string[] lines = job.Text().Split('\n');
        Assert.Equal("#!/bin/bash", lines[0]);
        Assert.Contains($"export GLIBC_TUNABLES={tunables}", lines);
        Assert.Contains($"export OMP_WAIT_POLICY={policy}", lines);
        Assert.Contains("#SBATCH --output=/tmp/x/logs/x-%A_%a.log", lines);
        Assert.Contains("#SBATCH --array=0-3%2", lines);
        Assert.Contains("#SBATCH --gres=gpu:1", lines);
        Assert.Contains("#SBATCH --partition=gpu", lines);
        // Slurm reads #SBATCH lines only before the first command.
        int firstCommand = Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#'));
        Assert.True(Array.FindLastIndex(lines, l => l.StartsWith("#SBATCH", StringComparison.Ordinal)) < firstCommand);
        Assert.DoesNotContain("--gres", string.Join('\n', new SlurmOptions(Gres: "gpu:1").Directives(withGres: false)));
    }

    [Theory]
    [InlineData("--cpus-per-task must be ≥ 1 (got 0)", 0, null, null)]
    [InlineData("--max-parallel must be ≥ 1 (got 0)", null, 0, null)]
    [InlineData("--sbatch-option: 'account=lab' is not an sbatch option (expected --NAME or --NAME=VALUE, e.g. --account=lab)", null, null, "account=lab")]
    public void A_bad_Slurm_setting_is_an_error_naming_its_option(string message, int? cpus, int? parallel, string? extra)
    {
        var e = Assert.Throws<WbcNcaException>(() => new SlurmOptions(CpusPerTask: cpus, MaxParallel: parallel, Extra: extra is null ? null : [extra]).Validate());
        Assert.Equal(message, e.Message);
    }
}
