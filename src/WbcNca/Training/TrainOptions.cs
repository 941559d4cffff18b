using System.Text.Json;
using System.Text.Json.Serialization;

namespace WbcNca.Training;

/// <summary>
/// Everything that decides a training run besides the model's <see cref="Model.NcaConfig"/>: optimiser, schedule,
/// sampling, augmentation, normalisation, split and seed. Saved (as JSON) in the run folder and in every training
/// checkpoint. Defaults are the paper's: Adam lr 4·10⁻⁴, betas 0.9/0.999, decay 0.9999 per batch, batch 16, 32 epochs.
/// </summary>
/// <param name="Epochs">Number of epochs.</param>
/// <param name="BatchSize">Images per optimiser step.</param>
/// <param name="LearningRate">Adam's initial learning rate.</param>
/// <param name="Beta1">Adam β₁.</param>
/// <param name="Beta2">Adam β₂.</param>
/// <param name="Decay">Learning-rate factor per batch.</param>
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
        if (EpochSize < 0) throw new ArgumentException($"epoch size must be ≥ 0 (got {EpochSize})");
        if (Folds < 2) throw new ArgumentException($"folds must be ≥ 2 (got {Folds})");
        if (Fold < 0 || Fold >= Folds) throw new ArgumentException($"fold must be in 0..{Folds - 1} (got {Fold})");
        if (!(ValidationFraction > 0 && ValidationFraction < 1)) throw new ArgumentException($"validation fraction must be in (0, 1) (got {ValidationFraction})");
        _ = Imaging.Normalization.Parse(Normalization);
        Augment.Validate();
        Input?.Validate();
        return this;
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
