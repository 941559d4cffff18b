using System.Diagnostics;
using System.Text.Json;
using WbcNca.IO;
using WbcNca.Tests.Cli;
using WbcNca.Training;

namespace WbcNca.Tests.Training;

/// <summary>A small data set and one uninterrupted tiny training run on it, shared by the tests that compare with it.</summary>
public sealed class TinyTrainingFixture : IDisposable
{
    private readonly Lazy<string> straight;

    public TinyTrainingFixture()
    {
        SyntheticCells.Write(Data, perClass: 8);
        straight = new Lazy<string>(() =>
        {
            string output = Path.Combine(Root, "straight");
            var r = CliProcess.Run(Args(output));
            Assert.True(r.ExitCode == 0, r.Stderr);
            return output;
        });
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("wbc-nca-train-process-").FullName;

    public string Data => Path.Combine(Root, "data");

    /// <summary>The run folder of the uninterrupted run (made on first use).</summary>
    public string Straight => straight.Value;

    /// <summary>A tiny model trained for 8 short epochs on one thread (so that runs are reproducible to the bit).</summary>
    public string[] Args(string output, params string[] extra) => ArgsWithLearningRate(output, "3e-3", extra);

    /// <summary>As <see cref="Args(string, string[])"/> with another learning rate.</summary>
    public string[] ArgsWithLearningRate(string output, string learningRate, params string[] extra) =>
    [
        "train", "--dataset", "folder", "--data", Data, "--out", output,
        "--channels", "8", "--hidden", "16", "--steps", "4", "--image-size", "16",
        "--epochs", "8", "--epoch-size", "24", "--batch-size", "8", "--lr", learningRate, "--normalization", "image", "--seed", "7", "--threads", "1",
        .. extra,
    ];

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// <c>wbc-nca train</c> run as a real process and interrupted the ways long runs are interrupted: killed (SIGKILL) or
/// stopped (Ctrl-C) at some moment, then resumed; a loss that diverges; a disk that fills up.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class TrainProcessTests(TinyTrainingFixture fixture) : IClassFixture<TinyTrainingFixture>
{
    private const int SigInt = 2, SigKill = 9;

    /// <summary>Starts a run, waits for its first checkpoint, sends <paramref name="signal"/>, and returns what the run printed.</summary>
    private static CliProcess.Result Interrupt(string[] args, string output, int signal)
    {
        string checkpoint = Path.Combine(output, "training.ckpt");
        using var run = CliProcess.Start(args);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(checkpoint) && !run.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(2);
        Assert.False(run.HasExited, "the run ended before it could be interrupted");
        run.Signal(signal);
        return run.Wait();
    }

    private static Dictionary<string, float[]> Weights(string path) =>
        SafeTensorsFile.Read(path).Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Data.ToArray());

    /// <summary>Same weights (last and best model), same per-epoch metrics and the same test-fold report, to a tight tolerance.</summary>
    private static void AssertSameResult(string expected, string actual)
    {
        foreach (string model in new[] { "last.safetensors", "best.safetensors" })
        {
            var a = Weights(Path.Combine(expected, model));
            var b = Weights(Path.Combine(actual, model));
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            foreach (string key in a.Keys)
                for (int i = 0; i < a[key].Length; i++)
                    Assert.True(Math.Abs(a[key][i] - b[key][i]) <= 1e-6f + 1e-5f * Math.Abs(a[key][i]), $"{model} {key}[{i}]: {a[key][i]} vs {b[key][i]}");
        }
        using var ma = JsonDocument.Parse(File.ReadAllText(Path.Combine(expected, "metrics.json")));
        using var mb = JsonDocument.Parse(File.ReadAllText(Path.Combine(actual, "metrics.json")));
        var ea = ma.RootElement.EnumerateArray().ToArray();
        var eb = mb.RootElement.EnumerateArray().ToArray();
        Assert.Equal(ea.Length, eb.Length);
        for (int e = 0; e < ea.Length; e++)
            foreach (string field in new[] { "epoch", "train_loss", "train_accuracy", "validation_loss", "validation_balanced_accuracy", "learning_rate" })
                Assert.Equal(ea[e].GetProperty(field).GetDouble(), eb[e].GetProperty(field).GetDouble(), 5);
        using var ta = JsonDocument.Parse(File.ReadAllText(Path.Combine(expected, "test.json")));
        using var tb = JsonDocument.Parse(File.ReadAllText(Path.Combine(actual, "test.json")));
        foreach (string field in new[] { "accuracy", "balanced_accuracy", "macro_f1" })
            Assert.Equal(ta.RootElement.GetProperty(field).GetDouble(), tb.RootElement.GetProperty(field).GetDouble(), 6);
    }

    [Fact]
    public void A_run_killed_with_sigkill_resumes_from_its_last_checkpoint_to_the_result_of_an_uninterrupted_run()
    {
        string output = Path.Combine(fixture.Root, "killed");
        var killed = Interrupt(fixture.Args(output), output, SigKill);
        Assert.Equal(128 + SigKill, killed.ExitCode);
        int epoch = TrainingCheckpoint.ReadState(Path.Combine(output, "training.ckpt")).Epoch;
        Assert.InRange(epoch, 1, 7);
        Assert.False(File.Exists(Path.Combine(output, "test.json")));
        // The checkpoint is written last in an epoch, so every file it relies on is there, and whole: the models load
        // and the metrics parse (they may already hold the next epoch, whose checkpoint the kill prevented).
        Assert.InRange(JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json"))).RootElement.GetArrayLength(), epoch, epoch + 1);
        Assert.NotEmpty(Weights(Path.Combine(output, "last.safetensors")));
        Assert.NotEmpty(Weights(Path.Combine(output, "best.safetensors")));

        var resumed = CliProcess.Run(fixture.Args(output, "--resume"));
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        AssertSameResult(fixture.Straight, output);
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
    }

    [SkippableFact]
    public void A_run_stopped_with_ctrl_c_says_how_to_continue_and_resumes_to_the_result_of_an_uninterrupted_run()
    {
        // A shell without job control starts background commands with SIGINT ignored, and child processes inherit that:
        // then Ctrl-C cannot reach the run at all, and the test would measure the shell, not the program.
        Skip.If(CliProcess.SigIntIgnored, "SIGINT is ignored in this test process (started in the background by a shell), so a child cannot receive it; run the tests in the foreground");
        string output = Path.Combine(fixture.Root, "stopped");
        var stopped = Interrupt(fixture.Args(output), output, SigInt);
        Assert.Equal(130, stopped.ExitCode);
        Assert.Contains("stopping after this batch", stopped.Stderr);
        Assert.Contains($"continue with --resume --out {output}", stopped.Stderr);

        var resumed = CliProcess.Run(fixture.Args(output, "--resume"));
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        AssertSameResult(fixture.Straight, output);
    }

    [Fact]
    public void A_loss_that_becomes_nan_stops_the_run_with_one_line_and_saves_nothing_of_it()
    {
        string output = Path.Combine(fixture.Root, "diverged");
        // Adam moves every weight by about the learning rate: 1e30 overflows the next forward pass.
        var r = CliProcess.Run(fixture.ArgsWithLearningRate(output, "1e30"));
        Assert.Equal(1, r.ExitCode);
        string error = Assert.Single(r.StderrLines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith($"error: {output}: training stopped: the loss is NaN at epoch 1, batch 2", error);
        Assert.Contains("no epoch was completed, so nothing was saved", error);
        Assert.False(File.Exists(Path.Combine(output, "training.ckpt")));
        Assert.False(File.Exists(Path.Combine(output, "last.safetensors")));
    }

    [Fact]
    public void A_disk_that_fills_up_while_saving_is_reported_naming_the_file_and_leaves_no_partial_file()
    {
        string output = Path.Combine(fixture.Root, "full");
        // Files may grow to 8 KiB: the run description fits, the first model file does not.
        var r = CliProcess.RunWithFileSizeLimit(8, fixture.Args(output));
        Assert.True(r.ExitCode == 1, r.Stderr);
        string error = Assert.Single(r.StderrLines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Matches(@"^error: .*\.safetensors: cannot write: the file is larger than the file system or the process's file size limit allows$", error);
        Assert.True(File.Exists(Path.Combine(output, "config.json")));
        Assert.Empty(Directory.GetFiles(output, "*.safetensors"));
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
    }
}
