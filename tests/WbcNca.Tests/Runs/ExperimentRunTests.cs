using System.Text.Json;
using WbcNca.Model;
using WbcNca.Runs;
using WbcNca.Training;

namespace WbcNca.Tests.Runs;

/// <summary><see cref="ExperimentRun"/>'s bookkeeping: what the table says of entries without a result, and one task per entry.</summary>
[Collection(TorchCollection.Name)]
public sealed class ExperimentRunTests : IDisposable
{
    private readonly IO.TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    // A grid of three entries (seeds 1, 2, 3) of one tiny NCA on a folder set (never trained here).
    private ExperimentGrid Grid()
    {
        var run = new TrainingRun("folder", Path.Combine(dir.Path, "cells"), ModelSpec.ForNca(new NcaConfig(Channels: 6, HiddenSize: 8, Steps: 2, ImageSize: 12)),
            new TrainOptions(Epochs: 1, BatchSize: 4), "", Resume: false, LimitPerClass: 0, LoaderThreads: 1);
        var grid = ExperimentGrid.Plan(Path.Combine(dir.Path, "exp"), [new GridModel("cells", "", run)], [0], [1, 2, 3], [0], [], "cpu");
        grid.Save();
        return ExperimentGrid.Load(grid.Root);
    }

    [Fact]
    public void An_entry_whose_task_died_without_a_word_or_before_it_started_is_a_row_saying_so_with_its_log()
    {
        ExperimentGrid grid = Grid();
        // Entry 0: its task started (and recorded its log) but never ended: killed by the time limit, memory or a node failure.
        GridEntryStatus.Start(Path.Combine(grid.LogFolder, "experiment-9_0.log"), "9_0").Save(grid.Entries[0].Run.OutPath);
        // Entry 1: its task left only Slurm's log (e.g. the program could not start on the node).
        Directory.CreateDirectory(grid.LogFolder);
        File.WriteAllText(Path.Combine(grid.LogFolder, "experiment-9_1.log"), "dotnet: command not found\n");

        var table = new ExperimentRun(grid).Collect();

        Assert.Equal(
            [
                ("cells · nca", 0, 1L, "running, or killed without a word (time limit, memory, node failure)", "logs/experiment-9_0.log"),
                ("cells · nca", 0, 2L, "failed before it started", "logs/experiment-9_1.log"),
                ("cells · nca", 0, 3L, "not run", null),
            ],
            table.Missing.Select(m => (m.Model, m.Fold, m.Seed, m.Status, m.Log)));
        using var json = JsonDocument.Parse(File.ReadAllText(grid.TableJson));
        Assert.Equal(3, json.RootElement.GetProperty("without_result").GetArrayLength());
        Assert.Contains("| cells · nca | fold 0, seed 2: **failed before it started**; log `logs/experiment-9_1.log` |", File.ReadAllText(grid.TableMarkdown));
    }

    [Fact]
    public void A_second_task_on_the_same_entry_stops_in_one_line_while_the_first_holds_it()
    {
        ExperimentGrid grid = Grid();
        string folder = grid.Entries[1].Run.OutPath;
        Directory.CreateDirectory(folder);
        using (new FileStream(Path.Combine(folder, ".task.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var e = Assert.Throws<WbcNcaException>(() => new ExperimentRun(grid).ExecuteEntry(1, TorchSharp.torch.CPU, RunLog.Silent, CancellationToken.None, threads: 1));
            Assert.Equal($"{folder}: another process is running this entry (its lock .task.lock is held); wait for it, or stop it first", e.Message);
        }
        Assert.False(File.Exists(Path.Combine(folder, GridEntryStatus.FileName)), "the refused task wrote a status");
    }

    [Fact]
    public void An_index_outside_the_grid_is_an_error_naming_the_plan_and_its_range()
    {
        ExperimentGrid grid = Grid();
        var e = Assert.Throws<WbcNcaException>(() => grid.Entry(3));
        Assert.Equal($"{grid.PlanFile}: has no entry 3 (it has 3: 0..2)", e.Message);
    }
}
