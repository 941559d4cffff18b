using System.Text.Json;
using TorchSharp;
using WbcNca.Imaging;
using WbcNca.IO;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Checkpoints;

/// <summary>
/// The project's model format: one <c>.safetensors</c> file (readable by PyTorch's safetensors package) with
/// float32 weights named after the module tree and string metadata holding the format tag, the architecture
/// (<c>arch</c>: nca, resnext50, resnet18 or aecfe; absent in files written before the baselines, which are NCAs), the config (JSON),
/// the class names (JSON array), the normalisation (JSON) and the provenance (JSON object).
/// </summary>
public static class ModelFile
{
    /// <summary>Value of the <c>format</c> metadata key.</summary>
    public const string FormatTag = "wbc-nca/1";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Writes the bundle atomically (temp file + rename).</summary>
    public static void Save(ModelBundle bundle, string path)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, TensorData>();
        foreach (var (name, tensor) in bundle.Model.SavedTensors())
        {
            using var cpu = tensor.detach().to(ScalarType.Float32, CPU).contiguous();
            tensors[name] = new TensorData(cpu.shape, cpu.data<float>().ToArray());
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatTag,
            ["arch"] = bundle.Spec.Arch,
            ["config"] = bundle.Spec.ConfigJson(),
            ["classes"] = JsonSerializer.Serialize(bundle.Classes, Json),
            ["normalization"] = JsonSerializer.Serialize(new NormalizationJson(bundle.Normalization.Name, [.. bundle.Normalization.Mean], [.. bundle.Normalization.Std]), Json),
            ["provenance"] = JsonSerializer.Serialize(bundle.Provenance, Json),
        };
        if (bundle.Preprocessing != Preprocessing.Default) metadata["preprocessing"] = bundle.Preprocessing.ToJson();
        if (bundle.Calibration.IsFitted) metadata["calibration"] = bundle.Calibration.ToJson();
        if (bundle.Decision != Inference.DecisionRule.Default) metadata["decision"] = bundle.Decision.ToJson();
        if (bundle.Averaging != Inference.TestTimeAveraging.Single) metadata["averaging"] = bundle.Averaging.ToJson();
        if (bundle.FeatureDistance is not null) metadata["feature_distance"] = bundle.FeatureDistance.ToJson();
        SafeTensorsFile.Write(path, tensors, metadata);
    }

    /// <summary>Reads a model file; any problem (foreign or truncated file, config that does not fit the weights) is a <see cref="WbcNcaException"/> naming the file.</summary>
    public static ModelBundle Load(string path, Device? device = null)
    {
        SafeTensorsContent content = SafeTensorsFile.Read(path);
        var meta = content.Metadata;
        if (!meta.TryGetValue("format", out string? format) || format != FormatTag)
            throw new CheckpointFormatException(path, $"not a wbc-nca model (safetensors metadata 'format' is {(format is null ? "missing" : $"'{format}'")}, expected '{FormatTag}'); to convert a PyTorch state dict use 'wbc-nca import-torch'");
        try
        {
            ModelSpec spec = ModelSpec.FromJson(meta.GetValueOrDefault("arch"), Required(meta, "config", path));
            var classes = JsonSerializer.Deserialize<string[]>(Required(meta, "classes", path), Json)
                ?? throw new CheckpointFormatException(path, "metadata 'classes' is null");
            if (classes.Length != spec.NumClasses)
                throw new CheckpointFormatException(path, $"metadata lists {classes.Length} classes but the config has {spec.NumClasses}");
            var n = JsonSerializer.Deserialize<NormalizationJson>(Required(meta, "normalization", path), Json)
                ?? throw new CheckpointFormatException(path, "metadata 'normalization' is null");
            var normalization = new Normalization(n.name, n.mean, n.std);
            if (!normalization.IsPerImage && (normalization.Mean.Count != 3 || normalization.Std.Count != 3 || normalization.Std.Any(s => !(s > 0))))
                throw new CheckpointFormatException(path, "metadata 'normalization' needs 3 means and 3 positive standard deviations");
            var provenance = meta.TryGetValue("provenance", out string? p)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(p, Json) ?? []
                : [];
            ICellClassifier model = spec.Build();
            try
            {
                model.LoadSavedTensors(content.Tensors, path);
                if (device is not null) model.Module.to(device);
                model.Module.eval();
            }
            catch
            {
                model.Dispose();
                throw;
            }
            var loaded = new ModelBundle(model, classes, normalization, provenance)
            {
                Preprocessing = meta.TryGetValue("preprocessing", out string? pre) ? Preprocessing.FromJson(pre) : Preprocessing.Default,
                Calibration = meta.TryGetValue("calibration", out string? cal) ? Inference.Calibration.FromJson(cal) : Inference.Calibration.None,
                Decision = meta.TryGetValue("decision", out string? dec) ? Inference.DecisionRule.FromJson(dec) : Inference.DecisionRule.Default,
                Averaging = meta.TryGetValue("averaging", out string? avg) ? Inference.TestTimeAveraging.FromJson(avg) : Inference.TestTimeAveraging.Single,
                FeatureDistance = meta.TryGetValue("feature_distance", out string? fd) ? Inference.FeatureDistance.FromJson(fd) : null,
            };
            if (loaded.FeatureDistance is { } distance && (loaded.Spec.Nca is not { } nca || distance.Dimension != nca.Channels || distance.Classes != nca.NumClasses))
            {
                model.Dispose();
                throw new ArgumentException($"the feature distance ({distance.Classes} classes × {distance.Dimension} features) does not fit the model");
            }
            return loaded;
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"bad metadata: {IO.JsonProblem.Describe(e)}", e);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, $"bad metadata: {e.Message}", e);
        }
    }

    /// <summary>
    /// Copies named float32 tensors into the classifier's parameters. Every parameter must be present with
    /// the shape the config implies, and no unknown tensor may be left over.
    /// </summary>
    public static void LoadWeights(NcaClassifier classifier, IReadOnlyDictionary<string, TensorData> tensors, string path)
    {
        var expected = classifier.state_dict();
        foreach (string name in tensors.Keys)
            if (!expected.ContainsKey(name))
                throw new CheckpointFormatException(path, $"unexpected tensor '{name}' (the weights do not belong to an NCA classifier of this version)");
        using var _ = no_grad();
        foreach (var (name, target) in expected)
        {
            if (!tensors.TryGetValue(name, out TensorData? source))
                throw new CheckpointFormatException(path, $"missing tensor '{name}'");
            if (!source.Shape.SequenceEqual(target.shape))
                throw new CheckpointFormatException(path, $"config does not fit the weights: '{name}' has shape [{string.Join(",", source.Shape)}], the config expects [{string.Join(",", target.shape)}]");
            using var t = torch.tensor(source.Data, source.Shape, dtype: ScalarType.Float32);
            target.copy_(t);
        }
    }

    private static string Required(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        meta.TryGetValue(key, out string? v) ? v : throw new CheckpointFormatException(path, $"metadata '{key}' is missing");

    private sealed record NormalizationJson(string name, float[] mean, float[] std);
}
