using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WbcNca.Inference;
using WbcNca.IO;

namespace WbcNca.Runs;

/// <summary>
/// A prediction split into <see cref="Shards"/> parts (<c>predict --slurm N</c>), in its folder's <c>predict.json</c>:
/// part I is <c>predict --shard I/N --json</c> over the same inputs (<see cref="InputShard"/>), written as JSON Lines to
/// <c>shards/shard-I-of-N.jsonl</c> once complete; <see cref="Merge"/> joins the parts into <c>predictions.jsonl</c> and,
/// for samples (<c>--sample</c>, <c>--sample-per-folder</c>), the differential counts.
/// </summary>
/// <param name="Root">The folder (absolute).</param>
/// <param name="Shards">Parts in all.</param>
/// <param name="Inputs">Image files and folders (absolute).</param>
/// <param name="Options">The options every part passes to predict (the model, samples, seed, …).</param>
/// <param name="Sample">All images are this one sample (null: none).</param>
/// <param name="SamplePerFolder">Each folder of images is a sample.</param>
public sealed record ShardedPrediction(string Root, int Shards, IReadOnlyList<string> Inputs, IReadOnlyList<string> Options, string? Sample, bool SamplePerFolder)
{
    /// <summary>The plan's file name.</summary>
    public const string FileName = "predict.json";

    /// <summary>Where the job scripts go.</summary>
    public string ScriptFolder => Path.Combine(Root, "slurm");

    /// <summary>Where the tasks' logs go.</summary>
    public string LogFolder => Path.Combine(Root, "logs");

    /// <summary>The merged predictions, one JSON object per image and line.</summary>
    public string Output => Path.Combine(Root, "predictions.jsonl");

    /// <summary>The differential counts as CSV (with samples).</summary>
    public string CountsCsv => Path.Combine(Root, "counts.csv");

    /// <summary>The differential counts as JSON (with samples).</summary>
    public string CountsJson => Path.Combine(Root, "counts.json");

    /// <summary>The complete output of part <paramref name="shard"/>.</summary>
    public string ShardFile(int shard) => Path.Combine(Root, "shards", string.Create(CultureInfo.InvariantCulture, $"shard-{shard}-of-{Shards}.jsonl"));

    /// <summary>The parts' log files, with Slurm's %A (array job) and %a (task) patterns.</summary>
    public string LogPattern => Path.Combine(LogFolder, "predict-%A_%a.log");

    /// <summary>
    /// The job scripts: an array job with one task per part of <paramref name="parts"/> (predict --shard I/N --json into the part's file, renamed
    /// to its final name once complete) and a job that merges the parts (to be submitted with an <c>afterany</c>
    /// dependency on the first). <paramref name="program"/> starts wbc-nca, with <paramref name="environment"/>.
    /// </summary>
    public (SlurmJob Tasks, SlurmJob Collector) SlurmJobs(IEnumerable<int> parts, SlurmOptions options, IReadOnlyList<string> program, IReadOnlyDictionary<string, string> environment)
    {
        string run = ShellWords.Join(program);
        string n = Shards.ToString(CultureInfo.InvariantCulture);
        var tasks = new SlurmJob("wbc-nca-predict", Path.Combine(ScriptFolder, "predict.sh"), LogPattern,
            [
                $"Prediction {Root}: part I of {n} of the images per array task, as JSON Lines in shards/ (a part's file appears once it is complete).",
                "Written by 'wbc-nca predict --slurm'. By hand: sbatch predict.sh, then sbatch --dependency=afterany:JOBID collect.sh",
            ],
            options.Directives(withGres: true), environment,
            [
                "# Threads: the CPUs that Slurm gave the task.",
                "threads=\"${SLURM_CPUS_PER_TASK:-${SLURM_CPUS_ON_NODE:-1}}\"",
                "shard=\"$SLURM_ARRAY_TASK_ID\"",
                $"out={ShellWords.Quote(Path.Combine(Root, "shards", "shard-"))}\"$shard\"-of-{n}.jsonl",
                $"{run} predict --shard \"$shard/{n}\" --json --threads \"$threads\" {ShellWords.Join(Options)} {ShellWords.Join(Inputs)} > \"$out.part\"",
                "mv \"$out.part\" \"$out\"",
            ])
        {
            Array = SlurmJob.ArraySpec(parts, options.MaxParallel),
        };
        var collector = new SlurmJob("wbc-nca-predict-collect", Path.Combine(ScriptFolder, "collect.sh"), Path.Combine(LogFolder, "collect-%j.log"),
            [
                $"Prediction {Root}: joins the parts into predictions.jsonl (and the samples' differential counts into counts.csv, counts.json).",
                "Written by 'wbc-nca predict --slurm', which submits it with --dependency=afterany on the array job.",
            ],
            options.Directives(withGres: false), environment,
            [$"exec {run} collect {ShellWords.Quote(Root)}"]);
        return (tasks, collector);
    }

    /// <summary>The parts without a complete output.</summary>
    public IReadOnlyList<int> Unfinished => Enumerable.Range(0, Shards).Where(i => !File.Exists(ShardFile(i))).ToArray();

    /// <summary>True when both plans predict the same parts the same way.</summary>
    public bool SamePlanAs(ShardedPrediction other) =>
        Root == other.Root && Shards == other.Shards && Inputs.SequenceEqual(other.Inputs) && Options.SequenceEqual(other.Options)
        && Sample == other.Sample && SamplePerFolder == other.SamplePerFolder;

    /// <summary>Writes predict.json (atomically), creating the folder.</summary>
    public void Save()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Combine(Root, "shards"));
        var o = new JsonObject
        {
            ["shards"] = Shards,
            ["inputs"] = new JsonArray(Inputs.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
            ["options"] = new JsonArray(Options.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
            ["sample"] = Sample,
            ["sample_per_folder"] = SamplePerFolder,
        };
        RunJson.Write(Path.Combine(Root, FileName), o);
    }

    /// <summary>The plan in <paramref name="root"/>, or null when there is none.</summary>
    /// <exception cref="WbcNcaException">predict.json is there but is not a plan.</exception>
    public static ShardedPrediction? TryLoad(string root)
    {
        root = Path.GetFullPath(root);
        return RunJson.TryRead(Path.Combine(root, FileName), "a sharded prediction", o =>
            new ShardedPrediction(root, o.GetProperty("shards").GetInt32(), o.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()!).ToArray(),
                o.GetProperty("options").EnumerateArray().Select(e => e.GetString()!).ToArray(),
                o.GetProperty("sample").ValueKind == JsonValueKind.String ? o.GetProperty("sample").GetString() : null, o.GetProperty("sample_per_folder").GetBoolean()));
    }

    /// <summary>
    /// Joins the parts: every line of every part into predictions.jsonl (ordered by path), and the differential count
    /// of each sample into counts.csv and counts.json. Returns the number of images and the counts.
    /// </summary>
    /// <exception cref="WbcNcaException">A part has no complete output (named with its log), or a line is not a prediction.</exception>
    public (int Images, IReadOnlyList<DifferentialCount> Counts) Merge()
    {
        var missing = Unfinished;
        if (missing.Count > 0)
        {
            string Log(int shard) => Directory.Exists(LogFolder)
                ? new DirectoryInfo(LogFolder).EnumerateFiles(Path.GetFileName(LogPattern).Replace("%A", "*", StringComparison.Ordinal).Replace("%a", $"{shard}", StringComparison.Ordinal)).OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()?.FullName ?? "no log"
                : "no log";
            throw WbcNcaException.ForFile(Root, $"{missing.Count} of {Shards} part(s) have no complete output: " + string.Join("; ", missing.Take(5).Select(i => $"part {i} (log: {Log(i)})"))
                + (missing.Count > 5 ? $"; and {missing.Count - 5} more" : "") + "; resubmit them or run 'wbc-nca predict --shard I/N …' for them");
        }
        var lines = new List<(string Path, string Line)>();
        var bySample = new SortedDictionary<string, (string[] Classes, int[] Counts, int Review, int NotACell)>(StringComparer.Ordinal);
        for (int shard = 0; shard < Shards; shard++)
        {
            string file = ShardFile(shard);
            int number = 0;
            foreach (string line in File.ReadLines(file))
            {
                number++;
                if (line.Length == 0) continue;
                string path;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    var o = doc.RootElement;
                    path = o.GetProperty("path").GetString()!;
                    if (Sample is not null || SamplePerFolder)
                    {
                        string key = Sample ?? DifferentialCount.SampleOfFolder(path);
                        string[] classes = o.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToArray();
                        if (!bySample.TryGetValue(key, out var tally)) tally = (classes, new int[classes.Length], 0, 0);
                        // Each white cell of the image counts (a line without "cells" comes from before fields had cells: one cell).
                        foreach (JsonElement cell in o.TryGetProperty("cells", out JsonElement cells) ? cells.EnumerateArray().ToArray() : [o])
                            switch (cell.GetProperty("status").GetString())
                            {
                                case "review": tally.Review++; break;
                                case "not_a_cell": tally.NotACell++; break;
                                default: tally.Counts[cell.GetProperty("index").GetInt32()]++; break;
                            }
                        bySample[key] = tally;
                    }
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
                {
                    throw WbcNcaException.ForFile(file, $"line {number} is not a prediction of 'predict --json'");
                }
                lines.Add((path, line));
            }
        }
        var sb = new StringBuilder();
        foreach (var (_, line) in lines.OrderBy(l => l.Path, StringComparer.Ordinal)) sb.Append(line).Append('\n');
        AtomicFile.WriteAllText(Output, sb.ToString());
        var counts = bySample.Select(kv => new DifferentialCount(kv.Key, kv.Value.Classes, kv.Value.Counts, kv.Value.Review, kv.Value.NotACell)).ToList();
        if (counts.Count > 0)
        {
            AtomicFile.WriteAllText(CountsCsv, DifferentialCount.ToCsv(counts));
            AtomicFile.WriteAllText(CountsJson, DifferentialCount.ToJson(counts) + "\n");
        }
        return (lines.Count, counts);
    }
}
