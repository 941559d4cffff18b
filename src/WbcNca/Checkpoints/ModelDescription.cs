using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Model;
using WbcNca.Training;

namespace WbcNca.Checkpoints;

/// <summary>
/// What a model is, for people and programs: architecture, configuration, size, classes, input, calibration, decision
/// rule, provenance and (for a preset) its training recipe. The one place that turns a model into JSON
/// (<see cref="ToJson"/>), used by <c>wbc-nca info --json</c> and the web server's <c>GET /api/model</c>, and into a
/// sentence (<see cref="Summary"/>) for the lab page and <c>info</c>.
/// </summary>
/// <param name="Source">The model file (or "preset P", "arch A").</param>
/// <param name="Spec">Architecture and configuration.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="MultiplyAccumulates">Multiply-accumulates per image.</param>
/// <param name="Classes">Class names in output order.</param>
/// <param name="Normalization">Input normalisation (null for a fresh model, which has none yet).</param>
/// <param name="Preprocessing">Framing and colour mapping of the input.</param>
/// <param name="Provenance">The model file's facts, as stored (strings).</param>
public sealed partial record ModelDescription(
    string Source,
    ModelSpec Spec,
    long Parameters,
    long MultiplyAccumulates,
    IReadOnlyList<string> Classes,
    Normalization? Normalization,
    Preprocessing Preprocessing,
    IReadOnlyDictionary<string, string> Provenance)
{
    /// <summary>The training recipe of a preset (null for a model file).</summary>
    public TrainingRecipe? Recipe { get; init; }

    /// <summary>The model's temperature scaling (null for a fresh model).</summary>
    public Calibration? Calibration { get; init; }

    /// <summary>How the model answers unless told otherwise (null for a fresh model).</summary>
    public TestTimeAveraging? Averaging { get; init; }

    /// <summary>The model's decision rule (null for a fresh model).</summary>
    public DecisionRule? Decision { get; init; }

    /// <summary>True for a fresh model of a preset or architecture (random weights: it classifies nothing yet).</summary>
    public bool Untrained { get; init; }

    /// <summary>Describes a loaded model; <paramref name="source"/> names it (a path, or only a file name where paths should not show).</summary>
    public static ModelDescription Of(ModelBundle bundle, string source)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return new ModelDescription(source, bundle.Spec, bundle.Model.ParameterCount, bundle.Model.MultiplyAccumulates(), bundle.Classes,
            bundle.Normalization, bundle.Preprocessing, bundle.Provenance)
        {
            Calibration = bundle.Calibration,
            Decision = bundle.Decision,
            Averaging = bundle.Averaging,
        };
    }

    /// <summary>Describes a fresh (untrained) model of <paramref name="spec"/>, with the preset's recipe when given.</summary>
    public static ModelDescription Fresh(ModelSpec spec, string source, TrainingRecipe? recipe = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using ICellClassifier model = spec.Build();
        return new ModelDescription(source, spec, model.ParameterCount, model.MultiplyAccumulates(), Data.CellClasses.Fine, null, Preprocessing.Default,
            new Dictionary<string, string>()) { Recipe = recipe, Untrained = true };
    }

    /// <summary>
    /// The model's accuracy as its file records it, best evidence first: on a held-out test part
    /// (<c>test_balanced_accuracy</c>, <c>test_accuracy</c>), else on the validation part training chose the epoch on
    /// (<c>validation_balanced_accuracy</c>); null when none is recorded.
    /// </summary>
    public (string Key, double Value, bool Balanced)? RecordedAccuracy
    {
        get
        {
            foreach (var (key, balanced) in new[] { ("test_balanced_accuracy", true), ("test_accuracy", false), ("validation_balanced_accuracy", true) })
                if (Provenance.TryGetValue(key, out string? v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double a) && a is >= 0 and <= 1)
                    return (key, a, balanced);
            return null;
        }
    }

    /// <summary>
    /// One sentence for people: what the model does and, when its file records one, how accurate it was measured to be,
    /// e.g. "Classifies white blood cells into 13 types; 68 % accurate on held-out Acevedo-20 cells (averaged over the types)."
    /// </summary>
    public string Summary
    {
        get
        {
            if (Untrained) return $"Untrained: once trained, classifies white blood cells into {Classes.Count} types.";
            string what = $"Classifies white blood cells into {Classes.Count} types";
            if (RecordedAccuracy is not { } a) return what + ".";
            string cells = Provenance.TryGetValue("dataset", out string? kind) && Data.DatasetReader.DisplayName(kind) is string name
                ? $"held-out {name} cells" : "held-out cells";
            string percent = (a.Value * 100).ToString("0", CultureInfo.InvariantCulture);
            string adapted = Provenance.TryGetValue("adapted_cells", out string? n) ? $"; later adapted with {n} cells of another lab" : "";
            return $"{what}; {percent} % accurate on {cells}{(a.Balanced ? " (averaged over the types)" : "")}{adapted}.";
        }
    }

    /// <summary>
    /// The description as one JSON object: <c>source</c>, <c>summary</c>, <c>arch</c>, <c>parameters</c>,
    /// <c>macs_per_image</c>, <c>config</c>, <c>classes</c>, <c>normalization</c> (name, mean, std), <c>preprocessing</c>,
    /// <c>calibration</c>, <c>decision</c>, <c>provenance</c> (values typed: see <see cref="TypedValue"/>) and <c>recipe</c>
    /// (the training options of a preset); objects are objects, never JSON inside a string.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["source"] = Source,
            ["summary"] = Summary,
            ["arch"] = Spec.Arch,
            ["parameters"] = Parameters,
            ["macs_per_image"] = MultiplyAccumulates,
            ["config"] = JsonNode.Parse(Spec.ConfigJson()),
            ["classes"] = new JsonArray(Classes.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
        };
        if (Normalization is { } n)
            o["normalization"] = new JsonObject
            {
                ["name"] = n.Name,
                ["mean"] = new JsonArray(n.Mean.Select(v => (JsonNode?)JsonValue.Create(Number(v))).ToArray()),
                ["std"] = new JsonArray(n.Std.Select(v => (JsonNode?)JsonValue.Create(Number(v))).ToArray()),
            };
        o["preprocessing"] = JsonNode.Parse(Preprocessing.ToJson());
        if (Calibration is { } c)
            o["calibration"] = new JsonObject
            {
                ["temperature"] = c.Temperature,
                ["fitted_on"] = c.FittedOn,
                ["images"] = c.Images,
                ["ece_before"] = double.IsFinite(c.EceBefore) ? c.EceBefore : null,
                ["ece_after"] = double.IsFinite(c.EceAfter) ? c.EceAfter : null,
            };
        if (Decision is { } d) o["decision"] = JsonNode.Parse(d.ToJson());
        if (Averaging is { } a) o["averaging"] = JsonNode.Parse(a.ToJson());
        o["provenance"] = TypedProvenance();
        if (Recipe is { } r) o["recipe"] = JsonNode.Parse(r.Options.ToJson());
        return o;
    }

    /// <summary>The provenance with typed values (<see cref="TypedValue"/>), in stored order.</summary>
    public JsonObject TypedProvenance()
    {
        var o = new JsonObject();
        foreach (var (k, v) in Provenance) o[k] = TypedValue(v);
        return o;
    }

    /// <summary>
    /// A stored provenance string as the JSON value it stands for: an object or array when it holds one (training
    /// options), <c>true</c>/<c>false</c>, a number when it is written as a JSON number ("4", "0.6815"; not "007" or
    /// "0/5"), otherwise the string itself.
    /// </summary>
    public static JsonNode? TypedValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string t = value.Trim();
        if (t.Length > 1 && (t[0] == '{' && t[^1] == '}' || t[0] == '[' && t[^1] == ']'))
        {
            try { return JsonNode.Parse(t); }
            catch (JsonException) { /* not JSON after all: a string */ }
        }
        if (t is "true" or "false") return JsonValue.Create(t == "true");
        if (JsonNumber().IsMatch(t))
        {
            if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole)) return JsonValue.Create(whole);
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) return JsonValue.Create(d);
        }
        return JsonValue.Create(value);
    }

    // float → the shortest double that prints as the float does (0.8746204, not 0.87462037801742554).
    private static double Number(float v) => double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();
}
