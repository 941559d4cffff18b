using System.Globalization;
using System.Text.Json;

namespace WbcNca.Inference;

/// <summary>
/// How a model answers by default: the mean of <paramref name="Samples"/> runs (update masks of seeds s, s+1, …), with
/// <paramref name="Views"/> each on another of the cell's 8 rotations and mirror images. Stored in the model file when its
/// temperature and review thresholds were fitted on answers averaged this way (<c>wbc-nca calibrate --samples N
/// --views</c>); predict, evaluate, explain and serve then use it unless <c>--samples</c> or <c>--views</c> say otherwise.
/// Model files without it answer with one run, as before.
/// </summary>
/// <param name="Samples">Runs averaged (1 … <see cref="MaxSamples"/>).</param>
/// <param name="Views">Run k sees the cell as <see cref="Imaging.DihedralView"/> k.</param>
public sealed record TestTimeAveraging(int Samples = 1, bool Views = false)
{
    /// <summary>Most runs a stored averaging may ask for.</summary>
    public const int MaxSamples = 64;

    /// <summary>One run: model files without a stored averaging.</summary>
    public static TestTimeAveraging Single { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> for a run count out of range.</summary>
    public TestTimeAveraging Validate()
    {
        if (Samples < 1 || Samples > MaxSamples) throw new ArgumentException($"averaging: samples must be in 1..{MaxSamples} (got {Samples})");
        return this;
    }

    /// <summary>The stored form: <c>{"samples": 8, "views": true}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Calibration.JsonOptions);

    /// <summary>Reads the stored form.</summary>
    /// <exception cref="JsonException">Not an averaging record.</exception>
    /// <exception cref="ArgumentException">Samples out of range.</exception>
    public static TestTimeAveraging FromJson(string json) =>
        (JsonSerializer.Deserialize<TestTimeAveraging>(json, Calibration.JsonOptions) ?? throw new JsonException("averaging is null")).Validate();

    /// <summary>One line for people: "one run", "8 mask draws", "8 views (mask draws, each on another rotation or mirror image)".</summary>
    public override string ToString() => Samples == 1 ? "one run"
        : Views ? string.Create(CultureInfo.InvariantCulture, $"{Samples} views (mask draws, each on another rotation or mirror image)")
        : string.Create(CultureInfo.InvariantCulture, $"{Samples} mask draws");
}
