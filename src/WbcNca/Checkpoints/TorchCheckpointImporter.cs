using WbcNca.Imaging;
using WbcNca.IO;
using WbcNca.Model;

namespace WbcNca.Checkpoints;

/// <summary>
/// Converts the paper authors' PyTorch state dict (marrlab/WBC-NCA "MaxNCA": keys p0, p1, fc0, fc1, fc2, fc3)
/// into this project's model. Their code applies its depthwise convolutions to the transposed image
/// (<c>x.transpose(1, 3)</c> on a (B, H, W, C) state gives (B, C, W, H)); convolving the transposed image
/// with kernel K equals convolving the image with Kᵀ and transposing back, so each 3×3 kernel is transposed
/// on import (reflect padding is symmetric, so it commutes with the transposition).
/// </summary>
public static class TorchCheckpointImporter
{
    /// <summary>Maps the reference names to ours; the flag tells whether the tensor is a 3×3 kernel to transpose.</summary>
    private static readonly (string Reference, string Ours, bool TransposeKernel)[] NameMap =
    [
        ("p0.weight", "backbone.perception.k1.weight", true),
        ("p0.bias", "backbone.perception.k1.bias", false),
        ("p1.weight", "backbone.perception.k2.weight", true),
        ("p1.bias", "backbone.perception.k2.bias", false),
        ("fc0.weight", "backbone.update.fc1.weight", false),
        ("fc0.bias", "backbone.update.fc1.bias", false),
        ("fc1.weight", "backbone.update.fc2.weight", false),
        ("fc2.weight", "head.fc1.weight", false),
        ("fc2.bias", "head.fc1.bias", false),
        ("fc3.weight", "head.fc2.weight", false),
        ("fc3.bias", "head.fc2.bias", false),
    ];

    /// <summary>Reads the state dict at <paramref name="path"/> and builds a bundle; the config is inferred from the shapes (k from <paramref name="steps"/>).</summary>
    public static ModelBundle Import(string path, IReadOnlyList<string> classes, Normalization normalization, int steps = 64, int imageSize = 64)
    {
        IReadOnlyDictionary<string, TensorData> source = PyTorchStateDictReader.Read(path);
        foreach (var (reference, _, _) in NameMap)
            if (!source.ContainsKey(reference))
                throw new CheckpointFormatException(path, $"not a WBC-NCA MaxNCA state dict: key '{reference}' is missing (keys: {string.Join(", ", source.Keys.Take(8))}{(source.Count > 8 ? ", …" : "")})");
        var extra = source.Keys.Except(NameMap.Select(m => m.Reference)).ToList();
        if (extra.Count > 0)
            throw new CheckpointFormatException(path, $"not a WBC-NCA MaxNCA state dict: unexpected key '{extra[0]}'");

        long[] fc0 = source["fc0.weight"].Shape, fc2 = source["fc2.weight"].Shape, fc3 = source["fc3.weight"].Shape;
        if (fc0.Length != 2 || fc2.Length != 2 || fc3.Length != 2 || fc0[1] % 3 != 0)
            throw new CheckpointFormatException(path, $"unexpected layer shapes: fc0 [{string.Join(",", fc0)}], fc2 [{string.Join(",", fc2)}], fc3 [{string.Join(",", fc3)}]");
        var config = new NcaConfig(
            Channels: (int)(fc0[1] / 3), HiddenSize: (int)fc0[0], Steps: steps, ImageSize: imageSize,
            ClassifierHidden: (int)fc2[0], NumClasses: (int)fc3[0]);
        if (classes.Count != config.NumClasses)
            throw new CheckpointFormatException(path, $"the checkpoint has {config.NumClasses} outputs but {classes.Count} class names were given");

        var ours = new Dictionary<string, TensorData>();
        foreach (var (reference, name, transpose) in NameMap)
            ours[name] = transpose ? TransposeKernels(source[reference], path, reference) : source[reference];

        var classifier = new NcaClassifier(config);
        ModelFile.LoadWeights(classifier, ours, path);
        classifier.eval();
        var provenance = new Dictionary<string, string>
        {
            ["source"] = "import-torch",
            ["source_file"] = Path.GetFileName(path),
            ["source_format"] = "PyTorch state dict (marrlab/WBC-NCA MaxNCA layout)",
        };
        return new ModelBundle(classifier, classes, normalization, provenance);
    }

    /// <summary>Swaps the two spatial axes of every (C, 1, kh, kw) kernel.</summary>
    private static TensorData TransposeKernels(TensorData t, string path, string name)
    {
        if (t.Shape.Length != 4 || t.Shape[1] != 1 || t.Shape[2] != t.Shape[3])
            throw new CheckpointFormatException(path, $"'{name}' should be depthwise square kernels (C, 1, k, k), has shape [{string.Join(",", t.Shape)}]");
        int c = (int)t.Shape[0], k = (int)t.Shape[2];
        var data = new float[t.Data.Length];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    data[(ch * k + i) * k + j] = t.Data[(ch * k + j) * k + i];
        return new TensorData(t.Shape, data);
    }
}
