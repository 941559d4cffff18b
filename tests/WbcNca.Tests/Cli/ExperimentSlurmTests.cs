using System.Text.Json;
using WbcNca.Tests.Training;

namespace WbcNca.Tests.Cli;

/// <summary>
/// <c>experiment --slurm</c> without a cluster: the plan and the job scripts it writes (<c>--dry-run</c>), what it asks
/// <c>sbatch</c> for, and its scripts run by hand as Slurm's tasks run them (a failing entry, a stopped one).
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class ExperimentSlurmTests : IDisposable
{
    private readonly IO.TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    private string Out => Path.Combine(dir.Path, "exp");

    private string Good() => SyntheticCells.Write(Path.Combine(dir.Path, "good"), perClass: 4);

    // A set whose every image is unreadable: its entries fail when they decode it.
    private string Broken()
    {
        string root = Path.Combine(dir.Path, "broken");
        foreach (string c in SyntheticCells.Classes)
        {
            Directory.CreateDirectory(Path.Combine(root, c));
            File.WriteAllText(Path.Combine(root, c, "cell.png"), "not an image");
        }
        return root;
    }

    [Fact]
    public void A_dry_run_writes_the_grid_and_readable_job_scripts_with_the_Slurm_options_and_submits_nothing()
    {
        var (environment, calls) = SlurmTestKit.FakeSbatch(Path.Combine(dir.Path, "bin"));
        var r = CliProcess.RunWith(environment, ["experiment", "--dataset", "folder", "--data", Good(), "--out", Out, "--seeds", "1,2", "--test-folds", "0",
            .. SlurmTestKit.TinyTraining, "--slurm", "--dry-run", "--max-parallel", "1", "--partition", "gpu", "--time", "1:00:00", "--cpus-per-task", "4",
            "--mem", "8G", "--gres", "gpu:1", "--device", "cuda", "--sbatch-option=--account=lab"]);

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.False(File.Exists(calls), "sbatch was called");
        Assert.Contains("nothing submitted", r.Stderr);
        using var grid = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, "grid.json")));
        var entries = grid.RootElement.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal([1L, 2L], entries.Select(e => e.GetProperty("seed").GetInt64()));
        Assert.Equal(["good-nca/fold-0-seed-1", "good-nca/fold-0-seed-2"], entries.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal("cuda", grid.RootElement.GetProperty("device").GetString());

        string[] tasks = File.ReadAllLines(Path.Combine(Out, "slurm", "experiment.sh"));
        foreach (string line in new[] { "#SBATCH --array=0-1%1", "#SBATCH --partition=gpu", "#SBATCH --time=1:00:00", "#SBATCH --cpus-per-task=4", "#SBATCH --mem=8G",
                     "#SBATCH --gres=gpu:1", "#SBATCH --account=lab", $"#SBATCH --output={Out}/logs/experiment-%A_%a.log", "export OMP_WAIT_POLICY=PASSIVE" })
            Assert.Contains(line, tasks);
        Assert.Contains(tasks, l => l.StartsWith("exec ", StringComparison.Ordinal) && l.Contains($" run-one {Out} --index \"$SLURM_ARRAY_TASK_ID\"", StringComparison.Ordinal));
        string[] collect = File.ReadAllLines(Path.Combine(Out, "slurm", "collect.sh"));
        Assert.Contains(collect, l => l.EndsWith($" collect {Out}", StringComparison.Ordinal));
        Assert.DoesNotContain(collect, l => l.Contains("--gres", StringComparison.Ordinal));
        Assert.Contains($"#SBATCH --output={Out}/logs/collect-%j.log", collect);
    }

    [Fact]
    public void Submitting_sends_the_array_job_and_then_a_collect_job_that_waits_for_it_whatever_its_outcome()
    {
        var (environment, calls) = SlurmTestKit.FakeSbatch(Path.Combine(dir.Path, "bin"));
        var r = CliProcess.RunWith(environment, ["experiment", "--dataset", "folder", "--data", Good(), "--out", Out, "--seeds", "1..3", .. SlurmTestKit.TinyTraining, "--slurm"]);

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal([$"--parsable {Out}/slurm/experiment.sh", $"--parsable --dependency=afterany:101 {Out}/slurm/collect.sh"], File.ReadAllLines(calls));
        Assert.Contains("submitted array job 101 (3 entries; array 0-2) and job 102, which collects after it", r.Stderr);
    }

    [Fact]
    public void Without_sbatch_submitting_is_one_line_before_anything_is_written_and_a_dry_run_still_works()
    {
        var noSlurm = new Dictionary<string, string?> { ["PATH"] = Path.Combine(dir.Path, "empty-bin"), ["WBC_NCA_LAUNCHER"] = null };
        string good = Good();
        var r = CliProcess.RunWith(noSlurm, ["experiment", "--dataset", "folder", "--data", good, "--out", Out, "--seeds", "1", .. SlurmTestKit.TinyTraining, "--slurm"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: --slurm: Slurm's sbatch is not on the PATH (run this on the cluster's login node; --dry-run writes the job scripts without it)", Assert.Single(r.StderrLines));
        Assert.False(Directory.Exists(Out));
        var dry = CliProcess.RunWith(noSlurm, ["experiment", "--dataset", "folder", "--data", good, "--out", Out, "--seeds", "1", .. SlurmTestKit.TinyTraining, "--slurm", "--dry-run"]);
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        Assert.True(File.Exists(Path.Combine(Out, "slurm", "experiment.sh")));
    }

    [Fact]
    public void A_failing_entry_is_a_failed_row_of_the_table_with_its_error_and_its_log()
    {
        var r = CliProcess.RunWith(SlurmTestKit.Plain(), ["experiment", "--train-on", $"folder:{Good()}", "--train-on", $"folder:{Broken()}", "--out", Out, "--seeds", "1",
            .. SlurmTestKit.TinyTraining, "--slurm", "--dry-run"]);
        Assert.True(r.ExitCode == 0, r.Stderr);

        // Entry 1 (the unreadable set) as Slurm would run it: array job 77, task 1, its output in the log the script names.
        string log = Path.Combine(Out, "logs", "experiment-77_1.log");
        Assert.NotEqual(0, SlurmTestKit.RunAsTask(Path.Combine(Out, "slurm", "experiment.sh"), "77", 1, log));
        Assert.Contains(File.ReadAllLines(log), l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains("not an image", StringComparison.Ordinal));
        Assert.Equal(0, SlurmTestKit.RunAsTask(Path.Combine(Out, "slurm", "collect.sh"), "78", null, Path.Combine(Out, "logs", "collect-78.log")));

        using var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, "experiment.json")));
        var missing = table.RootElement.GetProperty("without_result").EnumerateArray().ToArray();
        var failed = Assert.Single(missing, m => m.GetProperty("model").GetString() == "broken · nca");
        Assert.StartsWith("failed: ", failed.GetProperty("status").GetString());
        Assert.Contains("not an image", failed.GetProperty("status").GetString());
        Assert.Equal("logs/experiment-77_1.log", failed.GetProperty("log").GetString());
        var notRun = Assert.Single(missing, m => m.GetProperty("model").GetString() == "good · nca");
        Assert.Equal("not run", notRun.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, notRun.GetProperty("log").ValueKind);
        string markdown = File.ReadAllText(Path.Combine(Out, "experiment.md"));
        Assert.Contains("| broken · nca | fold 0, seed 1: **failed: ", markdown);
        Assert.Contains("; log `logs/experiment-77_1.log` |", markdown);
    }

    [Fact]
    public void An_entry_stopped_by_SIGTERM_is_marked_stopped_and_the_next_task_resumes_it()
    {
        // Long enough (6 epochs of 48 images) to be stopped after its first checkpoint.
        string[] longer = [.. SlurmTestKit.TinyTraining];
        longer[Array.IndexOf(longer, "--epochs") + 1] = "6";
        longer[Array.IndexOf(longer, "--epoch-size") + 1] = "48";
        var r = CliProcess.RunWith(SlurmTestKit.Plain(), ["experiment", "--dataset", "folder", "--data", Good(), "--out", Out, "--seeds", "1", .. longer, "--slurm", "--dry-run"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        string entry = Path.Combine(Out, "good-nca", "fold-0-seed-1");

        using (var task = CliProcess.Start("run-one", Out, "--index", "0", "--threads", "1"))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(entry, "training.ckpt")) && !task.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(5);
            Assert.False(task.HasExited, "the entry ended before it could be stopped");
            task.Signal(15);   // SIGTERM, as Slurm sends at the time limit
            var stopped = task.Wait();
            Assert.True(stopped.ExitCode == 143, stopped.Stderr);
        }
        using (var status = JsonDocument.Parse(File.ReadAllText(Path.Combine(entry, "task.json"))))
            Assert.Equal("stopped", status.RootElement.GetProperty("state").GetString());
        var collected = CliProcess.Run("collect", Out);
        Assert.Contains("**stopped (time limit or cancelled); running it again resumes it**", collected.Stdout);

        var resumed = CliProcess.RunWith(SlurmTestKit.Plain(), "run-one", Out, "--index", "0", "--threads", "1");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains($"resuming the training in {entry}", resumed.Stderr);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(entry, "metrics.json")));
        Assert.Equal(Enumerable.Range(1, 6), metrics.RootElement.EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.Equal(0, CliProcess.Run("collect", Out).ExitCode);
        using var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, "experiment.json")));
        Assert.Equal(1, table.RootElement.GetProperty("rows")[0].GetProperty("runs").GetInt32());
        Assert.Empty(table.RootElement.GetProperty("without_result").EnumerateArray());
    }

    [Fact]
    public void Planning_again_with_other_options_into_the_same_folder_is_refused_naming_the_entry()
    {
        string good = Good();
        var first = CliProcess.RunWith(SlurmTestKit.Plain(), ["experiment", "--dataset", "folder", "--data", good, "--out", Out, "--seeds", "1", .. SlurmTestKit.TinyTraining, "--slurm", "--dry-run"]);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var other = CliProcess.RunWith(SlurmTestKit.Plain(), ["experiment", "--dataset", "folder", "--data", good, "--out", Out, "--seeds", "1", .. SlurmTestKit.TinyTraining, "--lr", "0.5", "--slurm", "--dry-run"]);
        Assert.Equal(1, other.ExitCode);
        Assert.Equal($"error: {Out}/grid.json: entry good-nca/fold-0-seed-1 was planned with other options or data than now; give the same options to go on with it, or choose another --out",
            other.StderrLines[^1]);
        // More seeds with the same options extend the grid: the old entry keeps its index.
        var more = CliProcess.RunWith(SlurmTestKit.Plain(), ["experiment", "--dataset", "folder", "--data", good, "--out", Out, "--seeds", "1,2", .. SlurmTestKit.TinyTraining, "--slurm", "--dry-run"]);
        Assert.True(more.ExitCode == 0, more.Stderr);
        using var grid = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, "grid.json")));
        Assert.Equal(["good-nca/fold-0-seed-1", "good-nca/fold-0-seed-2"], grid.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public void Variants_and_architectures_multiply_the_grid_and_a_variant_cannot_repeat_a_shared_option()
    {
        string good = Good();
        string[] grid32 = [.. SlurmTestKit.TinyTraining];
        grid32[Array.IndexOf(grid32, "--image-size") + 1] = "32";   // the ResNets' stem needs 32 pixels
        var tooSmall = CliProcess.RunWith(SlurmTestKit.Plain(), ["experiment", "--dataset", "folder", "--data", good, "--out", Out, "--archs", "nca,resnet18", .. SlurmTestKit.TinyTraining, "--slurm", "--dry-run"]);
        Assert.Equal(1, tooSmall.ExitCode);
        Assert.StartsWith("error: --archs resnet18: ", tooSmall.StderrLines[^1]);
        var r = CliProcess.RunWith(SlurmTestKit.Plain(), ["experiment", "--dataset", "folder", "--data", good, "--out", Out, "--seeds", "1,2", "--archs", "nca,resnet18",
            "--variant", "plain:--no-rotate", "--variant", "stain:--stain-augment --no-flip", .. grid32, "--slurm", "--dry-run"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var grid = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, "grid.json")));
        var entries = grid.RootElement.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(8, entries.Length);
        var stainNca = entries.First(e => e.GetProperty("id").GetString() == "good-nca-stain/fold-0-seed-2").GetProperty("run");
        var augment = stainNca.GetProperty("options").GetProperty("augmentation");
        Assert.False(augment.GetProperty("flip").GetBoolean());
        Assert.True(augment.GetProperty("rotate").GetBoolean());
        Assert.True(augment.GetProperty("hed").GetDouble() > 0);
        Assert.Equal(8, stainNca.GetProperty("config").GetProperty("channels").GetInt32());
        var plainResNet = entries.First(e => e.GetProperty("id").GetString() == "good-resnet18-plain/fold-0-seed-1");
        Assert.Equal("resnet18", plainResNet.GetProperty("arch").GetString());
        Assert.False(plainResNet.GetProperty("run").GetProperty("options").GetProperty("augmentation").GetProperty("rotate").GetBoolean());

        var clash = CliProcess.RunWith(SlurmTestKit.Plain(), ["experiment", "--dataset", "folder", "--data", good, "--out", Path.Combine(dir.Path, "other"), "--variant", "fast:--epochs 2",
            .. SlurmTestKit.TinyTraining, "--slurm", "--dry-run"]);
        Assert.Equal(1, clash.ExitCode);
        Assert.Equal("error: --variant fast: --epochs is also given for every entry; give it in each variant instead", clash.StderrLines[^1]);
    }
}
