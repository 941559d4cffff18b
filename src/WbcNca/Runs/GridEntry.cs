using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using WbcNca.Model;
using WbcNca.Training;

namespace WbcNca.Runs;

/// <summary>
/// One entry of an <see cref="ExperimentGrid"/>: one training run (a model of the grid with one test fold and one
/// seed) to train and evaluate on its own, in its folder <see cref="Id"/> inside the experiment folder. An array task
/// of <c>wbc-nca experiment --slurm</c> runs one entry (<c>wbc-nca run-one DIR --index I</c>).
/// </summary>
/// <param name="Index">Its index in the grid (the array task id).</param>
/// <param name="Model">The model it trains (training set, variant, architecture).</param>
/// <param name="Run">The training run, with the entry's fold, seed and folder.</param>
public sealed record GridEntry(int Index, GridModel Model, TrainingRun Run)
{
    /// <summary>The test fold.</summary>
    public int Fold => Run.Options.Fold;

    /// <summary>The training seed.</summary>
    public long Seed => Run.Options.Seed;

    /// <summary>Its folder relative to the experiment folder: MODEL/fold-F-seed-S.</summary>
    public string Id => string.Create(CultureInfo.InvariantCulture, $"{Model.Folder}/fold-{Fold}-seed-{Seed}");

    /// <summary>The entry as grid.json stores it (the run's output folder is <see cref="Id"/>, kept out).</summary>
    public JsonObject ToJson() => new()
    {
        ["index"] = Index,
        ["id"] = Id,
        ["dataset"] = Model.Dataset,
        ["variant"] = Model.Variant,
        ["arch"] = Run.Spec.Arch,
        ["fold"] = Fold,
        ["seed"] = Seed,
        ["run"] = RunJson(Run),
    };

    /// <summary>True when both entries train the same run (the index aside).</summary>
    public bool SameRunAs(GridEntry other) =>
        Id == other.Id && JsonNode.DeepEquals(RunJson(Run), RunJson(other.Run));

    /// <summary>Reads an entry written by <see cref="ToJson"/>; its folder is <see cref="Id"/> inside <paramref name="root"/>.</summary>
    /// <exception cref="KeyNotFoundException">A key is missing.</exception>
    /// <exception cref="JsonException">A value has the wrong form.</exception>
    public static GridEntry FromJson(JsonElement o, string root)
    {
        JsonElement r = o.GetProperty("run");
        string arch = o.GetProperty("arch").GetString()!;
        ModelSpec spec = ModelSpec.FromJson(arch, r.GetProperty("config").GetRawText());
        TrainOptions options = TrainOptions.FromJson(r.GetProperty("options").GetRawText());
        var run = new TrainingRun(r.GetProperty("dataset_kind").GetString()!, r.GetProperty("data").GetString()!, spec, options, "", Resume: false,
            r.GetProperty("limit_per_class").GetInt32(), Environment.ProcessorCount, r.GetProperty("skip_bad_images").GetBoolean())
        {
            AeDomains = r.GetProperty("ae_domains").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            Engine = r.GetProperty("engine").GetString() == "torch" ? Engines.NcaEngine.Torch : Engines.NcaEngine.Fused,
        };
        var model = new GridModel(o.GetProperty("dataset").GetString()!, o.GetProperty("variant").GetString()!, run);
        var entry = new GridEntry(o.GetProperty("index").GetInt32(), model, run);
        return entry with { Run = run with { OutPath = Path.Combine(root, entry.Id) } };
    }

    private static JsonObject RunJson(TrainingRun run) => new()
    {
        ["dataset_kind"] = run.DatasetKind,
        ["data"] = run.DataPath,
        ["config"] = JsonNode.Parse(run.Spec.ConfigJson()),
        ["options"] = JsonNode.Parse(run.Options.ToJson()),
        ["limit_per_class"] = run.LimitPerClass,
        ["skip_bad_images"] = run.SkipBadImages,
        ["ae_domains"] = new JsonArray(run.AeDomains.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
        ["engine"] = run.Engine == Engines.NcaEngine.Torch ? "torch" : "fused",
    };
}
