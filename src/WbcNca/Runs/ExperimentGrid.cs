using System.Text.Json;
using System.Text.Json.Nodes;
using WbcNca.IO;
using WbcNca.Training;

namespace WbcNca.Runs;

/// <summary>
/// The plan of an experiment, in its folder's <c>grid.json</c>: one <see cref="GridEntry"/> per training set ×
/// variant × architecture × test fold × seed, each trained and evaluated on its own (in any order, by any process, on
/// any node that sees the folder), and what every model is evaluated on. Planning again into the same folder keeps
/// the entries it already holds (their index and their results) and appends new ones; an entry planned with other
/// options than before is an error, so that one folder never mixes two experiments.
/// </summary>
/// <param name="Root">The experiment folder (absolute).</param>
/// <param name="Entries">The entries, by index.</param>
/// <param name="MaskSeeds">Update-mask seeds of every evaluation.</param>
/// <param name="Others">Other data sets every model is evaluated on.</param>
/// <param name="Device">Where the entries compute: cpu or cuda.</param>
public sealed record ExperimentGrid(string Root, IReadOnlyList<GridEntry> Entries, IReadOnlyList<long> MaskSeeds, IReadOnlyList<ExperimentTarget> Others, string Device)
{
    /// <summary>The plan's file name in the experiment folder.</summary>
    public const string FileName = "grid.json";

    /// <summary>The plan's file.</summary>
    public string PlanFile => Path.Combine(Root, FileName);

    /// <summary>Where the job scripts go.</summary>
    public string ScriptFolder => Path.Combine(Root, "slurm");

    /// <summary>Where the tasks' logs go.</summary>
    public string LogFolder => Path.Combine(Root, "logs");

    /// <summary>The Markdown table.</summary>
    public string TableMarkdown => Path.Combine(Root, "experiment.md");

    /// <summary>The JSON table.</summary>
    public string TableJson => Path.Combine(Root, "experiment.json");

    /// <summary>
    /// Plans every model × fold × seed into <paramref name="root"/>. Data paths become absolute (the tasks may start
    /// elsewhere); for AE-CFE the other sets' images (unlabelled) also train the autoencoder.
    /// </summary>
    /// <exception cref="WbcNcaException">Two entries would share a folder.</exception>
    public static ExperimentGrid Plan(string root, IReadOnlyList<GridModel> models, IReadOnlyList<int> folds, IReadOnlyList<long> seeds,
        IReadOnlyList<long> maskSeeds, IReadOnlyList<ExperimentTarget> others, string device)
    {
        root = Path.GetFullPath(root);
        others = others.Select(o => o with { Path = Path.GetFullPath(o.Path) }).ToArray();
        var entries = new List<GridEntry>();
        foreach (GridModel model in models)
        {
            TrainingRun run = model.Run with { DataPath = Path.GetFullPath(model.Run.DataPath), Resume = false };
            run = run with { AeDomains = run.AeDomains.Select(AbsoluteDomain).ToArray() };
            if (run.Spec.Arch == Model.ModelSpec.AeCfeArch)
                run = run with { AeDomains = [.. run.AeDomains, .. others.Select(e => $"{e.Kind}:{e.Path}").Where(d => !run.AeDomains.Contains(d))] };
            foreach (int fold in folds)
                foreach (long seed in seeds)
                {
                    var entry = new GridEntry(entries.Count, model, run with { Options = run.Options with { Fold = fold, Seed = seed } });
                    entries.Add(entry with { Run = entry.Run with { OutPath = Path.Combine(root, entry.Id) } });
                }
        }
        foreach (var same in entries.GroupBy(e => e.Id).Where(g => g.Count() > 1))
            throw new WbcNcaException($"{Path.Combine(root, same.Key)}: {same.Count()} entries of the grid would share this folder; give the training sets or variants different names");
        return new ExperimentGrid(root, entries, maskSeeds, others, device);
    }

    /// <summary>
    /// This plan joined with the one already in the folder (<paramref name="existing"/>, null for none): the entries
    /// there keep their index, new ones are appended. Returns the joined grid and this plan's entries in it.
    /// </summary>
    /// <exception cref="WbcNcaException">The folder's plan evaluates otherwise, or holds an entry of the same name with other options.</exception>
    public (ExperimentGrid Grid, IReadOnlyList<GridEntry> Requested) JoinedWith(ExperimentGrid? existing)
    {
        if (existing is null) return (this, Entries);
        if (!existing.MaskSeeds.SequenceEqual(MaskSeeds))
            throw WbcNcaException.ForFile(PlanFile, $"the experiment here was evaluated with --mask-seeds {string.Join(',', existing.MaskSeeds)}; give the same, or choose another --out");
        if (!existing.Others.SequenceEqual(Others))
            throw WbcNcaException.ForFile(PlanFile, $"the experiment here evaluates on {Describe(existing.Others)}, not on {Describe(Others)}; give the same --eval sets, or choose another --out");
        var entries = existing.Entries.ToList();
        var requested = new List<GridEntry>();
        foreach (GridEntry entry in Entries)
        {
            GridEntry? old = existing.Entries.FirstOrDefault(e => e.Id == entry.Id);
            if (old is not null)
            {
                if (!old.SameRunAs(entry))
                    throw WbcNcaException.ForFile(PlanFile, $"entry {entry.Id} was planned with other options or data than now; give the same options to go on with it, or choose another --out");
                requested.Add(old);
            }
            else
            {
                var added = entry with { Index = entries.Count };
                entries.Add(added);
                requested.Add(added);
            }
        }
        return (this with { Entries = entries }, requested);
    }

    /// <summary>Writes grid.json (atomically), creating the folder.</summary>
    public void Save()
    {
        Directory.CreateDirectory(Root);
        var o = new JsonObject
        {
            ["device"] = Device,
            ["mask_seeds"] = new JsonArray(MaskSeeds.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            ["eval"] = new JsonArray(Others.Select(t => (JsonNode?)new JsonObject { ["kind"] = t.Kind, ["path"] = t.Path, ["normalization"] = t.Normalization }).ToArray()),
            ["entries"] = new JsonArray(Entries.Select(e => (JsonNode?)e.ToJson()).ToArray()),
        };
        RunJson.Write(PlanFile, o);
    }

    /// <summary>The plan in <paramref name="root"/>, or null when the folder holds none.</summary>
    /// <exception cref="WbcNcaException">grid.json is there but is not a plan.</exception>
    public static ExperimentGrid? TryLoad(string root)
    {
        root = Path.GetFullPath(root);
        return RunJson.TryRead(Path.Combine(root, FileName), "an experiment plan", o =>
        {
            var entries = o.GetProperty("entries").EnumerateArray().Select(e => GridEntry.FromJson(e, root)).ToArray();
            for (int i = 0; i < entries.Length; i++)
                if (entries[i].Index != i) throw new JsonException($"entry {i} has index {entries[i].Index}");
            var others = o.GetProperty("eval").EnumerateArray().Select(t => new ExperimentTarget(t.GetProperty("kind").GetString()!, t.GetProperty("path").GetString()!,
                t.GetProperty("normalization").ValueKind == JsonValueKind.String ? t.GetProperty("normalization").GetString() : null)).ToArray();
            return new ExperimentGrid(root, entries, o.GetProperty("mask_seeds").EnumerateArray().Select(s => s.GetInt64()).ToArray(), others, o.GetProperty("device").GetString()!);
        });
    }

    /// <summary>The plan in <paramref name="root"/>.</summary>
    /// <exception cref="WbcNcaException">There is none, or it cannot be read.</exception>
    public static ExperimentGrid Load(string root) =>
        TryLoad(root) ?? throw WbcNcaException.ForFile(root, $"no experiment here ({FileName} is missing; 'wbc-nca experiment --out {root} …' plans one)");

    /// <summary>The entry of index <paramref name="index"/>.</summary>
    /// <exception cref="WbcNcaException">No such entry.</exception>
    public GridEntry Entry(int index) =>
        index >= 0 && index < Entries.Count ? Entries[index] : throw WbcNcaException.ForFile(PlanFile, $"has no entry {index} (it has {Entries.Count}: 0..{Entries.Count - 1})");

    /// <summary>Where <paramref name="entry"/> stands: done (its result is there), or what its last task said, or pending.</summary>
    public static GridEntryState StateOf(GridEntry entry)
    {
        if (File.Exists(Path.Combine(entry.Run.OutPath, GridEntryResult.FileName))) return GridEntryState.Done;
        return GridEntryStatus.Load(entry.Run.OutPath)?.State switch
        {
            GridEntryState.Done or null => File.Exists(RunFolder.CheckpointIn(entry.Run.OutPath)) ? GridEntryState.Stopped : GridEntryState.Pending,
            GridEntryState state => state,
        };
    }

    /// <summary>
    /// The log of <paramref name="entry"/>'s last task: the one its status names, else the newest task log of the
    /// Slurm script in <see cref="LogFolder"/> (a task that failed before it could write its status); null when none.
    /// </summary>
    public string? LogOf(GridEntry entry)
    {
        if (GridEntryStatus.Load(entry.Run.OutPath)?.Log is string log) return log;
        if (!Directory.Exists(LogFolder)) return null;
        return new DirectoryInfo(LogFolder).EnumerateFiles(Path.GetFileName(LogPattern).Replace("%A", "*", StringComparison.Ordinal).Replace("%a", $"{entry.Index}", StringComparison.Ordinal))
            .OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()?.FullName;
    }

    /// <summary>The tasks' log files, with Slurm's %A (array job) and %a (task) patterns.</summary>
    public string LogPattern => Path.Combine(LogFolder, "experiment-%A_%a.log");

    /// <summary>
    /// The job scripts that run <paramref name="entries"/> on Slurm: an array job with one task per entry (its index),
    /// each <c>run-one</c> with the task's CPUs as threads, and a job that collects the table (to be submitted with an
    /// <c>afterany</c> dependency on the first). <paramref name="program"/> starts wbc-nca, with <paramref name="environment"/>.
    /// </summary>
    public (SlurmJob Tasks, SlurmJob Collector) SlurmJobs(IReadOnlyList<GridEntry> entries, SlurmOptions options, IReadOnlyList<string> program,
        IReadOnlyDictionary<string, string> environment)
    {
        string run = ShellWords.Join(program), root = ShellWords.Quote(Root);
        var tasks = new SlurmJob("wbc-nca-experiment", Path.Combine(ScriptFolder, "experiment.sh"), LogPattern,
            [
                $"Experiment {Root}: one entry of {FileName} per array task ({entries.Count} of its {Entries.Count} entries here); each task trains",
                "its entry (resuming an interrupted training), evaluates it, and writes its result and status into the entry's folder.",
                "Written by 'wbc-nca experiment --slurm'. By hand: sbatch experiment.sh, then sbatch --dependency=afterany:JOBID collect.sh",
            ],
            options.Directives(withGres: true), environment,
            [
                "# Threads: the CPUs that Slurm gave the task.",
                "threads=\"${SLURM_CPUS_PER_TASK:-${SLURM_CPUS_ON_NODE:-1}}\"",
                "task=\"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"",
                $"exec {run} run-one {root} --index \"$SLURM_ARRAY_TASK_ID\" --threads \"$threads\" --job \"$task\" --log {ShellWords.Quote(Path.Combine(LogFolder, "experiment-"))}\"$task\".log",
            ])
        {
            Array = SlurmJob.ArraySpec(entries.Select(e => e.Index), options.MaxParallel),
        };
        var collector = new SlurmJob("wbc-nca-experiment-collect", Path.Combine(ScriptFolder, "collect.sh"), Path.Combine(LogFolder, "collect-%j.log"),
            [
                $"Experiment {Root}: tabulates whatever entries finished (experiment.md, experiment.json), with a row for each entry without a result.",
                "Written by 'wbc-nca experiment --slurm', which submits it with --dependency=afterany on the array job.",
            ],
            options.Directives(withGres: false), environment,
            [$"exec {run} collect {root}"]);
        return (tasks, collector);
    }

    private static string Describe(IReadOnlyList<ExperimentTarget> targets) =>
        targets.Count == 0 ? "no other set" : string.Join(", ", targets.Select(t => t.Normalization is null ? $"{t.Kind}:{t.Path}" : $"{t.Kind}:{t.Path}:{t.Normalization}"));

    private static string AbsoluteDomain(string domain)
    {
        var (kind, path) = TrainingRun.ParseDomain(domain, "--ae-domain");
        return $"{kind}:{Path.GetFullPath(path)}";
    }
}
