using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace WbcNca.Training;

/// <summary>
/// Everything that decides a training run besides the model's <see cref="Model.NcaConfig"/>: optimiser, schedule,
/// sampling, augmentation, normalisation, split and seed. Saved (as JSON) in the run folder and in every training
/// checkpoint. Defaults are the paper's: Adam lr 4·10⁻⁴, betas 0.9/0.999, decay 0.9999 per batch, batch 16, 32 epochs.
/// The schedule's keys came later with defaults that give that schedule, so options saved before them (an older run's
/// checkpoint) read as the paper's exponential decay, without warm-up. See <see cref="LearningRateSchedule"/>.
/// </summary>
/// <param name="Epochs">Number of epochs.</param>
/// <param name="BatchSize">Images per optimiser step.</param>
/// <param name="LearningRate">Adam's initial learning rate.</param>
/// <param name="Beta1">Adam β₁.</param>
/// <param name="Beta2">Adam β₂.</param>
/// <param name="Decay">Learning-rate factor per batch of the exponential schedule (unused when <paramref name="DecayAuto"/> is set or the schedule is cosine).</param>
/// <param name="Loss">Loss function.</param>
/// <param name="EpochSize">Draws per epoch (class-balanced); 0 = the size of the training part.</param>
/// <param name="Seed">Seed of every random choice (initial weights, sampling, augmentation, masks).</param>
/// <param name="Folds">k of the stratified k-fold split.</param>
/// <param name="Fold">The test fold (0-based).</param>
/// <param name="SplitSeed">Seed of the k-fold split (kept apart from <see cref="Seed"/> so that runs with several seeds share a split).</param>
/// <param name="ValidationFraction">Share of the training folds held out for model selection.</param>
/// <param name="Normalization">Input normalisation name (acevedo20, matek19, int20, image).</param>
/// <param name="Augmentation">Augmentations.</param>
/// <param name="ValidationSeed">Seed of the fixed update masks used to validate (the same masks every epoch).</param>
/// <param name="LrSchedule">Exponential (the paper's) or cosine.</param>
/// <param name="DecayAuto">
/// Exponential schedule: choose γ so that the last step's rate is <paramref name="FinalLrFraction"/> of the first, over
/// the run's steps (epochs × batches per epoch, after any warm-up), instead of <paramref name="Decay"/>.
/// </param>
/// <param name="FinalLrFraction">Rate of the run's last step as a share of <paramref name="LearningRate"/>, for the automatic decay and the cosine schedule.</param>
/// <param name="Warmup">Optimiser steps of linear warm-up (lr/w, 2·lr/w, …, lr) before the schedule; 0 = none.</param>
/// <param name="Input">Framing and colour mapping of every image (whole image, colours as decoded, when null: what runs before it had).</param>
public sealed record TrainOptions(
    int Epochs = 32,
    int BatchSize = 16,
    double LearningRate = 4e-4,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Decay = 0.9999,
    LossKind Loss = LossKind.CrossEntropy,
    int EpochSize = 0,
    long Seed = 1,
    int Folds = 5,
    int Fold = 0,
    int SplitSeed = 0,
    double ValidationFraction = 0.1,
    string Normalization = "acevedo20",
    AugmentationOptions? Augmentation = null,
    long ValidationSeed = 0,
    LearningRateScheduleKind LrSchedule = LearningRateScheduleKind.Exp,
    bool DecayAuto = false,
    double FinalLrFraction = 0.1,
    int Warmup = 0,
    Imaging.Preprocessing? Input = null)
{
    /// <summary>The framing and colour mapping (<see cref="Imaging.Preprocessing.Default"/> when none is given).</summary>
    [JsonIgnore]
    public Imaging.Preprocessing InputPreprocessing => Input ?? Imaging.Preprocessing.Default;

    /// <summary>The augmentations (rotation and flips when none are given).</summary>
    [JsonIgnore]
    public AugmentationOptions Augment => Augmentation ?? new AugmentationOptions();

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line reason for a value out of range.</summary>
    public TrainOptions Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be ≥ 1 (got {Epochs})");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be ≥ 1 (got {BatchSize})");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be > 0 (got {LearningRate})");
        if (!(Beta1 >= 0 && Beta1 < 1 && Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException("Adam betas must be in [0, 1)");
        if (!(Decay > 0 && Decay <= 1)) throw new ArgumentException($"decay must be in (0, 1] (got {Decay})");
        if (!Enum.IsDefined(LrSchedule)) throw new ArgumentException($"unknown learning-rate schedule {LrSchedule}");
        if (!(FinalLrFraction > 0 && FinalLrFraction <= 1)) throw new ArgumentException($"final learning-rate fraction must be in (0, 1] (got {FinalLrFraction})");
        if (Warmup < 0) throw new ArgumentException($"warm-up steps must be ≥ 0 (got {Warmup})");
        if (EpochSize < 0) throw new ArgumentException($"epoch size must be ≥ 0 (got {EpochSize})");
        if (Folds < 2) throw new ArgumentException($"folds must be ≥ 2 (got {Folds})");
        if (Fold < 0 || Fold >= Folds) throw new ArgumentException($"fold must be in 0..{Folds - 1} (got {Fold})");
        if (!(ValidationFraction > 0 && ValidationFraction < 1)) throw new ArgumentException($"validation fraction must be in (0, 1) (got {ValidationFraction})");
        _ = Imaging.Normalization.Parse(Normalization);
        Augment.Validate();
        Input?.Validate();
        return this;
    }

    /// <summary>
    /// True when the schedule is fitted to the run's length (the automatic decay or cosine), so that the rates of the
    /// steps already taken depend on <see cref="Epochs"/>.
    /// </summary>
    [JsonIgnore]
    public bool ScheduleSpansRun => LrSchedule == LearningRateScheduleKind.Cosine || DecayAuto;

    /// <summary>
    /// The same run with the values that do not matter set to their defaults: the augmentations spelled out, the
    /// decay of a cosine schedule, the final fraction of a fixed exponential decay.
    /// </summary>
    public TrainOptions Canonical()
    {
        var defaults = new TrainOptions();
        var o = this with { Augmentation = Augment };
        if (o.LrSchedule == LearningRateScheduleKind.Cosine) o = o with { Decay = defaults.Decay, DecayAuto = defaults.DecayAuto };
        if (!o.ScheduleSpansRun) o = o with { FinalLrFraction = defaults.FinalLrFraction };
        return o;
    }

    /// <summary>
    /// Null when a run made with <paramref name="saved"/> may go on with these options (<c>--resume</c>): everything the
    /// same but <see cref="Epochs"/>, which may change unless the schedule spans the run. Otherwise why not, in one line
    /// that names the first differing option, e.g. "was made with --lr-schedule exp, not cosine".
    /// </summary>
    public string? ResumeConflict(TrainOptions saved)
    {
        const string only = "only --epochs may change on --resume";
        List<(string Key, string Value)> was = Flatten(saved.Canonical() with { Epochs = Epochs }), now = Flatten(Canonical());
        foreach (var ((key, before), (_, after)) in was.Zip(now))
            if (before != after)
                return OptionNames.TryGetValue(key, out string? option)
                    ? $"was made with {option} {before}, not {after} ({only})"
                    : $"was made with {key} = {before}, not {after} ({only})";
        if (saved.Epochs != Epochs && ScheduleSpansRun)
            return $"was made with --epochs {saved.Epochs} and a learning-rate schedule fitted to the whole run (--lr-schedule cosine or --decay auto), so --epochs cannot change on --resume; use --epochs {saved.Epochs} or a new --out";
        return null;
    }

    // The command-line option of each JSON key ("decay" stands for --decay's number or auto); keys without one are named as they are.
    private static readonly Dictionary<string, string> OptionNames = new()
    {
        ["epochs"] = "--epochs", ["batch_size"] = "--batch-size", ["learning_rate"] = "--lr", ["decay"] = "--decay", ["loss"] = "--loss",
        ["epoch_size"] = "--epoch-size", ["seed"] = "--seed", ["folds"] = "--folds", ["fold"] = "--fold", ["split_seed"] = "--split-seed",
        ["validation_fraction"] = "--validation-fraction", ["normalization"] = "--normalization", ["lr_schedule"] = "--lr-schedule",
        ["final_lr_fraction"] = "--final-lr-fraction", ["warmup"] = "--warmup", ["brightness"] = "--brightness", ["contrast"] = "--contrast",
        ["saturation"] = "--saturation", ["hue"] = "--hue", ["hed"] = "--hed", ["zoom"] = "--zoom",
    };

    // The JSON keys and values in order, nested objects (the augmentations) flattened; decay and decay_auto as one "decay" (a number or auto).
    private static List<(string Key, string Value)> Flatten(TrainOptions options)
    {
        var result = new List<(string, string)>();
        void Walk(JsonObject o)
        {
            foreach (var (key, node) in o)
            {
                if (key == "decay_auto") continue;
                if (node is JsonObject inner) Walk(inner);
                else if (key == "decay") result.Add((key, options.DecayAuto ? "auto" : node!.ToJsonString()));
                else result.Add((key, node is JsonValue v && v.TryGetValue(out string? text) ? text : node?.ToJsonString() ?? "null"));
            }
        }
        Walk(JsonSerializer.SerializeToNode(options, JsonOptions)!.AsObject());
        return result;
    }

    /// <summary>JSON options shared by the run files (snake_case keys, enums as strings).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Serialises to JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    public static TrainOptions FromJson(string json) =>
        JsonSerializer.Deserialize<TrainOptions>(json, JsonOptions) ?? throw new JsonException("train options are null");
}
