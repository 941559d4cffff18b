using System.Text.Json;
using System.Text.Json.Serialization;

namespace WbcNca.Model;

/// <summary>
/// The immutable hyper-parameters of an NCA classifier. The defaults are the paper's
/// (Deutges et al., MICCAI 2024, Sec. 2): n = 128 channels, 128 hidden units in the update rule,
/// k = 64 steps on a 64×64 image, fire rate p = 0.5, and 13 harmonised classes.
/// A copy is saved in every checkpoint and report.
/// </summary>
/// <param name="Channels">n: state channels per cell (3 colour + n − 3 hidden).</param>
/// <param name="HiddenSize">Width of the update rule's hidden layer (Linear(3n→hidden) → ReLU → Linear(hidden→n)).</param>
/// <param name="Steps">k: number of NCA steps.</param>
/// <param name="ImageSize">Side of the square input image in pixels.</param>
/// <param name="UpdateProbability">p: probability that a cell applies its update at one step (eq. 4).</param>
/// <param name="ClassifierHidden">Width of the classifier head's hidden layer.</param>
/// <param name="NumClasses">Number of output classes.</param>
/// <param name="ColorChannels">Channels that hold the (fixed) input image.</param>
public sealed record NcaConfig(
    int Channels = 128,
    int HiddenSize = 128,
    int Steps = 64,
    int ImageSize = 64,
    double UpdateProbability = 0.5,
    int ClassifierHidden = 128,
    int NumClasses = 13,
    int ColorChannels = 3)
{
    /// <summary>The paper's model: 86,413 parameters.</summary>
    public static NcaConfig Paper { get; } = new();

    /// <summary>A small model for CPU work: n = 32, hidden 64, k = 32 steps on 32×32 images.</summary>
    public static NcaConfig Compact { get; } = new(Channels: 32, HiddenSize: 64, Steps: 32, ImageSize: 32);

    /// <summary>
    /// The shipped preset: the compact model with an update rule twice as wide (hidden 128): 23,053 parameters,
    /// 1.9× the compact model's multiply-accumulates, +4.8 points in-domain on the same recipe (docs/results.md).
    /// </summary>
    public static NcaConfig Wide { get; } = Compact with { HiddenSize = 128 };

    /// <summary>Names of the presets accepted by <see cref="FromPreset"/>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["paper", "compact", "wide"];

    /// <summary>The preset <c>train</c> and <c>info</c> use when none is named: the default model's.</summary>
    public const string DefaultPreset = "wide";

    /// <summary>Returns the named preset (<c>paper</c>, <c>compact</c> or <c>wide</c>, case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is not a preset.</exception>
    public static NcaConfig FromPreset(string name) => name.Trim().ToLowerInvariant() switch
    {
        "paper" => Paper,
        "compact" => Compact,
        "wide" => Wide,
        _ => throw new ArgumentException($"unknown preset '{name}' (expected one of: {string.Join(", ", PresetNames)})"),
    };

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line reason when a value is out of range.</summary>
    public NcaConfig Validate()
    {
        if (ColorChannels < 1) throw new ArgumentException($"color channels must be ≥ 1 (got {ColorChannels})");
        if (Channels <= ColorChannels) throw new ArgumentException($"channels must exceed the {ColorChannels} colour channels (got {Channels})");
        if (HiddenSize < 1) throw new ArgumentException($"hidden size must be ≥ 1 (got {HiddenSize})");
        if (Steps < 0) throw new ArgumentException($"steps must be ≥ 0 (got {Steps})");
        if (ImageSize < 3) throw new ArgumentException($"image size must be ≥ 3 (got {ImageSize})");
        if (!(UpdateProbability > 0 && UpdateProbability <= 1)) throw new ArgumentException($"update probability must be in (0, 1] (got {UpdateProbability})");
        if (ClassifierHidden < 1) throw new ArgumentException($"classifier hidden size must be ≥ 1 (got {ClassifierHidden})");
        if (NumClasses < 2) throw new ArgumentException($"number of classes must be ≥ 2 (got {NumClasses})");
        return this;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    /// <summary>Serialises to JSON with snake_case keys (as stored in checkpoints).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses JSON written by <see cref="ToJson"/>; missing keys take the paper's defaults.</summary>
    public static NcaConfig FromJson(string json) =>
        (JsonSerializer.Deserialize<NcaConfig>(json, JsonOptions) ?? throw new JsonException("config is null")).Validate();
}
