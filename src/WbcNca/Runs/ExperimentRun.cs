using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.IO;
using WbcNca.Training;

namespace WbcNca.Runs;

/// <summary>
/// Runs an <see cref="ExperimentGrid"/>: each entry trains its run (resuming an interrupted one; a trained one is not
/// trained again), evaluates its best model on its held-out fold (<see cref="HeldOutFold"/>) and on each other data set,
/// and writes its result and status into its folder; <see cref="Collect"/> tabulates whatever finished as mean ± std
/// per model and set (<c>experiment.md</c>, <c>experiment.json</c>) like the paper's Table 1, with a row for every entry
/// without a result. One entry runs on its own (<see cref="ExecuteEntry"/>: a Slurm array task) or all in turn
/// (<see cref="Execute"/>).
/// </summary>
/// <param name="Grid">The plan.</param>
public sealed record ExperimentRun(ExperimentGrid Grid)
{
    /// <summary>
    /// Trains and evaluates entry <paramref name="index"/> with <paramref name="threads"/> threads; its status (with
    /// <paramref name="logPath"/> and the Slurm <paramref name="job"/>) and, at the end, its result go into its folder.
    /// Returns the result, or null when <paramref name="cancel"/> stopped the training (it resumes next time).
    /// </summary>
    /// <exception cref="WbcNcaException">The entry failed (recorded as failed with this message), or another process runs it.</exception>
    public GridEntryResult? ExecuteEntry(int index, TorchSharp.torch.Device device, IRunLog log, CancellationToken cancel, int threads, string? logPath = null, string? job = null)
    {
        GridEntry entry = Grid.Entry(index);
        string folder = entry.Run.OutPath;
        Directory.CreateDirectory(folder);
        using var claim = Claim(folder);
        if (GridEntryResult.Load(folder) is { } done)
        {
            log.Info($"entry {index} ({entry.Id}) is already done");
            return done;
        }
        var status = GridEntryStatus.Start(logPath, job);
        status.Save(folder);
        try
        {
            log.Info($"entry {index} of {Grid.Entries.Count}: {entry.Model.Label}, fold {entry.Fold}, seed {entry.Seed}, in {folder}");
            GridEntryResult? result = TrainAndEvaluate(entry, device, log, cancel, threads);
            if (result is null)
            {
                status.End(GridEntryState.Stopped).Save(folder);
                return null;
            }
            result.Save(folder);
            status.End(GridEntryState.Done).Save(folder);
            return result;
        }
        catch (WbcNcaException e)
        {
            status.End(GridEntryState.Failed, e.Message.ReplaceLineEndings(" ")).Save(folder);
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            status.End(GridEntryState.Failed, $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}").Save(folder);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="entries"/> (every entry when null) that are not done, one after the other in this process,
    /// collecting the table after each; stops at the first failure (recorded, with the table written) by throwing it.
    /// Returns the table, or null when <paramref name="cancel"/> stopped a training.
    /// </summary>
    public ExperimentTable? Execute(TorchSharp.torch.Device device, IRunLog log, CancellationToken cancel, int threads, IReadOnlyList<GridEntry>? entries = null)
    {
        foreach (GridEntry entry in entries ?? Grid.Entries)
        {
            if (ExperimentGrid.StateOf(entry) == GridEntryState.Done) continue;
            try
            {
                if (ExecuteEntry(entry.Index, device, log, cancel, threads) is null) return null;
            }
            finally
            {
                Collect();
            }
        }
        return Collect();
    }

    /// <summary>Tabulates the entries that are done and lists the others with their state and log; writes experiment.md and experiment.json.</summary>
    public ExperimentTable Collect()
    {
        var table = new ExperimentTable();
        bool oneFold = Grid.Entries.Select(e => e.Fold).Distinct().Count() == 1;
        foreach (GridEntry entry in Grid.Entries)
        {
            string folder = entry.Run.OutPath;
            GridEntryState state = ExperimentGrid.StateOf(entry);
            GridEntryResult? result = null;
            string? unreadable = null;
            if (state == GridEntryState.Done)
            {
                try { result = GridEntryResult.Load(folder); }
                catch (WbcNcaException e) { unreadable = e.Message; }
            }
            if (result is not null)
            {
                string heldOut = oneFold ? $"{entry.Model.Dataset} (held-out fold {entry.Fold})" : $"{entry.Model.Dataset} (held-out folds)";
                table.Add(entry.Model.Label, heldOut, entry.Fold, entry.Seed, result.HeldOut);
                foreach (var (set, score) in result.Others) table.Add(entry.Model.Label, set, entry.Fold, entry.Seed, score);
                continue;
            }
            string? logPath = Grid.LogOf(entry);
            string why = unreadable ?? state switch
            {
                GridEntryState.Failed => $"failed: {GridEntryStatus.Load(folder)?.Error ?? "no message"}",
                GridEntryState.Stopped => "stopped (time limit or cancelled); running it again resumes it",
                GridEntryState.Running => "running, or killed without a word (time limit, memory, node failure)",
                _ => logPath is not null ? "failed before it started" : "not run",
            };
            table.AddMissing(entry.Model.Label, entry.Fold, entry.Seed, why, logPath is null ? null : Shorten(logPath));
        }
        AtomicFile.WriteAllText(Grid.TableMarkdown, table.ToMarkdown());
        AtomicFile.WriteAllText(Grid.TableJson, table.ToJson() + "\n");
        return table;
    }

    private GridEntryResult? TrainAndEvaluate(GridEntry entry, TorchSharp.torch.Device device, IRunLog log, CancellationToken cancel, int threads)
    {
        TrainingRun run = entry.Run with { LoaderThreads = threads };
        var folder = new RunFolder(run.OutPath);
        if (!File.Exists(folder.TestJson))
        {
            bool resume = File.Exists(folder.Checkpoint);
            log.Info(resume ? $"resuming the training in {run.OutPath}" : $"training in {run.OutPath}");
            var trained = TrainingRun.Execute(run with { Resume = resume }, device, log, cancel);
            if (!trained.Completed) return null;
        }
        ModelBundle best = ModelFile.Load(folder.BestModel, device);
        try
        {
            Dataset inDomain = DatasetReader.Open(run.DatasetKind, run.DataPath);
            var heldOut = HeldOutFold.Recorded(best.Provenance, folder.BestModel)
                ?? throw WbcNcaException.ForFile(folder.BestModel, "records no training split");
            var test = heldOut.TestItems(folder.BestModel, best.Provenance, inDomain, out _);
            var heldOutScore = ExperimentScore.From(Evaluate(best, inDomain, test, best.Normalization, run, device, log));
            var others = new List<(string, ExperimentScore)>();
            foreach (ExperimentTarget other in Grid.Others)
            {
                Dataset set = DatasetReader.Open(other.Kind, other.Path);
                Imaging.Normalization n = other.Normalization is null ? best.Normalization : Imaging.Normalization.Parse(other.Normalization);
                others.Add(($"{set.Name} ({n.Name})", ExperimentScore.From(Evaluate(best, set, set.Items, n, run, device, log))));
            }
            return new GridEntryResult(heldOutScore, others);
        }
        finally
        {
            best.Model.Dispose();
        }
    }

    private EvaluationReport Evaluate(ModelBundle best, Dataset set, IReadOnlyList<LabeledImage> items, Imaging.Normalization norm, TrainingRun run, TorchSharp.torch.Device device, IRunLog log) =>
        new EvaluationRun(best, set, items, norm, Grid.MaskSeeds)
        {
            Device = device,
            Threads = run.LoaderThreads,
            SkipUnreadable = run.SkipBadImages,
            Engine = run.Engine,
        }.Execute(log).Report;

    // One process per entry at a time: a second task on the same entry (submitted twice) stops instead of training into the same folder.
    private static FileStream Claim(string folder)
    {
        string path = Path.Combine(folder, ".task.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw WbcNcaException.ForFile(folder, "another process is running this entry (its lock .task.lock is held); wait for it, or stop it first");
        }
    }

    private string Shorten(string path)
    {
        string relative = Path.GetRelativePath(Grid.Root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
