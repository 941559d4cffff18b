using System.Text.Json;
using WbcNca.Tests.Training;

namespace WbcNca.Tests.Cli;

/// <summary>
/// <c>experiment --slurm</c> and <c>predict --slurm</c> on a real Slurm cluster: the one-node cluster of
/// <c>tools/slurm-local.sh start</c> (or any cluster SLURM_CONF names). They skip with a message when sbatch is absent
/// or no node takes jobs.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class SlurmClusterTests : IDisposable
{
    private readonly IO.TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    private static void WriteUnreadableSet(string root)
    {
        foreach (string c in SyntheticCells.Classes)
        {
            Directory.CreateDirectory(Path.Combine(root, c));
            File.WriteAllText(Path.Combine(root, c, "cell.png"), "not an image");
        }
    }

    [SkippableFact]
    public void A_grid_runs_as_an_array_job_collects_into_the_table_with_a_failed_row_and_a_resubmission_runs_only_the_unfinished_entries()
    {
        var environment = SlurmTestKit.RequireCluster();
        string good = SyntheticCells.Write(Path.Combine(dir.Path, "good"), perClass: 4);
        string broken = Path.Combine(dir.Path, "broken");
        WriteUnreadableSet(broken);
        string output = Path.Combine(dir.Path, "exp");
        string[] args = ["experiment", "--train-on", $"folder:{good}", "--train-on", $"folder:{broken}", "--out", output, "--seeds", "1,2",
            .. SlurmTestKit.TinyTraining, "--slurm", "--cpus-per-task", "1", "--max-parallel", "2", "--time", "10:00", "--wait"];

        var first = CliProcess.RunWith(environment, args);
        Assert.Equal(1, first.ExitCode);
        Assert.Equal($"error: {output}/experiment.md: 2 of 4 entries have no result (their rows say why and name their logs)", first.StderrLines[^1]);
        using (var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "experiment.json"))))
        {
            var row = Assert.Single(table.RootElement.GetProperty("rows").EnumerateArray());
            Assert.Equal("good · nca", row.GetProperty("model").GetString());
            Assert.Equal(2, row.GetProperty("runs").GetInt32());
            var failed = table.RootElement.GetProperty("without_result").EnumerateArray().ToArray();
            Assert.Equal([1L, 2L], failed.Select(f => f.GetProperty("seed").GetInt64()));
            foreach (var f in failed)
            {
                Assert.Equal("broken · nca", f.GetProperty("model").GetString());
                Assert.StartsWith("failed: ", f.GetProperty("status").GetString());
                string log = Path.Combine(output, f.GetProperty("log").GetString()!);
                Assert.Matches(@"^logs/experiment-\d+_[23]\.log$", f.GetProperty("log").GetString()!);
                Assert.Contains(File.ReadAllLines(log), l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains("not an image", StringComparison.Ordinal));
            }
        }
        Assert.Contains("**failed: ", File.ReadAllText(Path.Combine(output, "experiment.md")));

        // The set repaired, the same command again: the finished entries stay as they are, the failed ones run.
        string[] finished = [Path.Combine(output, "good-nca", "fold-0-seed-1", "best.safetensors"), Path.Combine(output, "good-nca", "fold-0-seed-2", "best.safetensors")];
        var before = finished.Select(File.GetLastWriteTimeUtc).ToArray();
        Directory.Delete(broken, recursive: true);
        SyntheticCells.Write(broken, perClass: 4, seed: 5);
        var second = CliProcess.RunWith(environment, args);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains($"planned 4 entries in {output}/grid.json; 2 done, 2 to run", second.Stderr);
        Assert.Contains("#SBATCH --array=2-3%2", File.ReadAllLines(Path.Combine(output, "slurm", "experiment.sh")));
        Assert.Equal(before, finished.Select(File.GetLastWriteTimeUtc));
        using (var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "experiment.json"))))
        {
            Assert.Equal(["good · nca", "broken · nca"], table.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("model").GetString()));
            Assert.All(table.RootElement.GetProperty("rows").EnumerateArray(), r => Assert.Equal(2, r.GetProperty("runs").GetInt32()));
            Assert.Empty(table.RootElement.GetProperty("without_result").EnumerateArray());
        }

        // Nothing left to run: no job is submitted, the table is printed.
        var third = CliProcess.RunWith(environment, args);
        Assert.True(third.ExitCode == 0, third.Stderr);
        Assert.Contains("4 done, 0 to run", third.Stderr);
        Assert.DoesNotContain("submitted", third.Stderr);
        Assert.Contains("| broken · nca | broken (held-out fold 0) |", third.Stdout);
    }

    [SkippableFact]
    public void A_sharded_prediction_runs_as_an_array_job_and_joins_into_the_unsharded_answers()
    {
        var environment = SlurmTestKit.RequireCluster();
        string model = SlurmTestKit.TinyModel(Path.Combine(dir.Path, "tiny.safetensors"));
        string cells = SyntheticCells.Write(Path.Combine(dir.Path, "cells"), perClass: 3);
        var whole = CliProcess.Run("predict", "--model", model, "--json", "--threads", "1", cells);
        Assert.True(whole.ExitCode == 0, whole.Stderr);

        string output = Path.Combine(dir.Path, "run");
        var r = CliProcess.RunWith(environment, "predict", "--model", model, "--sample", "slide-7", "--slurm", "3", "--out", output, "--cpus-per-task", "1", "--wait", cells);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(output, "logs"), "predict-*_*.log").Length);
        string[] joined = File.ReadAllLines(Path.Combine(output, "predictions.jsonl"));
        Assert.Equal(whole.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("path").GetString()).Order(StringComparer.Ordinal),
            joined.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("path").GetString()));
        Assert.Equal(whole.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("class").GetString()).Order(StringComparer.Ordinal),
            joined.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("class").GetString()).Order(StringComparer.Ordinal));
        using var counts = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "counts.json")));
        var sample = Assert.Single(counts.RootElement.EnumerateArray());
        Assert.Equal("slide-7", sample.GetProperty("sample").GetString());
        Assert.Equal(15, sample.GetProperty("cells").GetInt32());
        Assert.Contains("differential count of slide-7: ", r.Stdout);
    }
}
