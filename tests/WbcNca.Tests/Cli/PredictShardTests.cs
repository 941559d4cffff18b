using System.Text.Json;
using WbcNca.Tests.Training;

namespace WbcNca.Tests.Cli;

/// <summary>
/// <c>predict --shard I/N</c> and <c>predict --slurm N</c> without a cluster: the parts of a recursive input list
/// together are the unsharded prediction, and the job scripts, run by hand as Slurm's tasks run them, join into it
/// with the same differential counts.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class PredictShardTests : IDisposable
{
    private readonly IO.TempFolder dir = new();
    private readonly string model;
    private readonly string slides;

    public PredictShardTests()
    {
        model = SlurmTestKit.TinyModel(Path.Combine(dir.Path, "tiny.safetensors"));
        // Two slides (samples), each a tree of class folders: a recursive input list of 30 images.
        slides = Path.Combine(dir.Path, "slides");
        SyntheticCells.Write(Path.Combine(slides, "slide-a", "cells"), perClass: 3, seed: 1);
        SyntheticCells.Write(Path.Combine(slides, "slide-b", "cells"), perClass: 3, seed: 2);
    }

    public void Dispose() => dir.Dispose();

    private static Dictionary<string, JsonElement> ByPath(IEnumerable<string> lines) =>
        lines.Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(o => o.GetProperty("path").GetString()!);

    // The same answer: class, status and probabilities (to float rounding: a batch of other images sums in another order).
    private static void AssertSameAnswers(Dictionary<string, JsonElement> expected, Dictionary<string, JsonElement> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, e) in expected)
        {
            var a = actual[path];
            Assert.Equal(e.GetProperty("class").GetString(), a.GetProperty("class").GetString());
            Assert.Equal(e.GetProperty("status").GetString(), a.GetProperty("status").GetString());
            float[] pe = e.GetProperty("probabilities").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            float[] pa = a.GetProperty("probabilities").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            for (int c = 0; c < pe.Length; c++) Assert.True(Math.Abs(pe[c] - pa[c]) < 1e-5, $"{path} class {c}: {pe[c]} vs {pa[c]}");
        }
    }

    [Fact]
    public void The_union_of_the_shards_is_the_unsharded_prediction_whatever_the_order_of_the_inputs()
    {
        string a = Path.Combine(slides, "slide-a"), b = Path.Combine(slides, "slide-b");
        var whole = CliProcess.Run("predict", "--model", model, "--json", "--threads", "1", a, b);
        Assert.True(whole.ExitCode == 0, whole.Stderr);
        var expected = ByPath(whole.StdoutLines);
        Assert.Equal(30, expected.Count);

        var parts = new List<Dictionary<string, JsonElement>>();
        for (int i = 0; i < 3; i++)
        {
            // Each part lists the inputs its own way: another order, or the folder above them.
            string[] inputs = i switch { 0 => [a, b], 1 => [b, a], _ => [slides] };
            var r = CliProcess.Run(["predict", "--model", model, "--json", "--threads", "1", "--shard", $"{i}/3", .. inputs]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            parts.Add(ByPath(r.StdoutLines));
        }
        Assert.All(parts, p => Assert.NotEmpty(p));
        Assert.Equal(30, parts.Sum(p => p.Count));   // disjoint: no image in two parts
        AssertSameAnswers(expected, parts.SelectMany(p => p).ToDictionary());
    }

    [Fact]
    public void The_job_scripts_run_by_hand_join_into_the_unsharded_prediction_and_counts_and_a_resubmission_runs_only_missing_parts()
    {
        string counts = Path.Combine(dir.Path, "counts.csv");
        var whole = CliProcess.Run("predict", "--model", model, "--json", "--threads", "1", "--sample-per-folder", "--counts", counts, slides);
        Assert.True(whole.ExitCode == 0, whole.Stderr);

        string output = Path.Combine(dir.Path, "run");
        var (environment, calls) = SlurmTestKit.FakeSbatch(Path.Combine(dir.Path, "bin"));
        var plan = CliProcess.RunWith(environment, "predict", "--model", model, "--sample-per-folder", "--slurm", "3", "--out", output, "--dry-run", "--max-parallel", "2", slides);
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        Assert.False(File.Exists(calls), "sbatch was called");
        string script = Path.Combine(output, "slurm", "predict.sh");
        Assert.Contains("#SBATCH --array=0-2%2", File.ReadAllLines(script));
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, SlurmTestKit.RunAsTask(script, "50", i, Path.Combine(output, "logs", $"predict-50_{i}.log")));
        Assert.Equal(0, SlurmTestKit.RunAsTask(Path.Combine(output, "slurm", "collect.sh"), "51", null, Path.Combine(output, "logs", "collect-51.log")));

        AssertSameAnswers(ByPath(whole.StdoutLines), ByPath(File.ReadLines(Path.Combine(output, "predictions.jsonl"))));
        // The samples (a folder of images each, named after it) count the same as in the unsharded run.
        Assert.Equal(File.ReadAllText(counts), File.ReadAllText(Path.Combine(output, "counts.csv")));

        // A part lost: joining names it and its log; submitting again runs that part only.
        File.Delete(Path.Combine(output, "shards", "shard-1-of-3.jsonl"));
        var join = CliProcess.Run("collect", output);
        Assert.Equal(1, join.ExitCode);
        Assert.Contains($"part 1 (log: {output}/logs/predict-50_1.log)", join.StderrLines[^1]);
        var again = CliProcess.RunWith(environment, "predict", "--model", model, "--sample-per-folder", "--slurm", "3", "--out", output, slides);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("#SBATCH --array=1", File.ReadAllLines(script));
        Assert.Equal(2, File.ReadAllLines(calls).Length);
    }

    [Fact]
    public void Planning_another_prediction_into_the_same_folder_is_refused()
    {
        string output = Path.Combine(dir.Path, "run");
        var first = CliProcess.RunWith(SlurmTestKit.Plain(), "predict", "--model", model, "--slurm", "2", "--out", output, "--dry-run", slides);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var other = CliProcess.RunWith(SlurmTestKit.Plain(), "predict", "--model", model, "--slurm", "3", "--out", output, "--dry-run", slides);
        Assert.Equal(1, other.ExitCode);
        Assert.Equal($"error: {output}/predict.json: the folder holds another prediction (other inputs, parts or options); choose another --out", other.StderrLines[^1]);
    }
}
