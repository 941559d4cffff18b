using TorchSharp;
using WbcNca.IO;
using static TorchSharp.torch;

namespace WbcNca.Checkpoints;

/// <summary>Strict copying of named float32 tensors into a module's state (parameters and buffers).</summary>
public static class ModuleWeights
{
    /// <summary>
    /// Copies <paramref name="tensors"/> whose names start with <paramref name="prefix"/> into <paramref name="module"/>'s
    /// state dict (names without the prefix). Every entry of the state dict must be present with its shape, and no other
    /// tensor with the prefix may be left over.
    /// </summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="tensors">Named tensors read from a file.</param>
    /// <param name="path">The file, for error messages.</param>
    /// <param name="what">What the module is, for error messages (e.g. "a resnext50 classifier").</param>
    /// <param name="prefix">Name prefix of this module's tensors in the file.</param>
    /// <exception cref="CheckpointFormatException">A tensor is missing, unexpected or of another shape.</exception>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, TensorData> tensors, string path, string what, string prefix = "")
    {
        var expected = module.state_dict();
        foreach (string name in tensors.Keys)
            if (name.StartsWith(prefix, StringComparison.Ordinal) && !expected.ContainsKey(name[prefix.Length..]))
                throw new CheckpointFormatException(path, $"unexpected tensor '{name}' (the weights do not belong to {what} of this version)");
        using var _ = no_grad();
        foreach (var (name, target) in expected)
        {
            if (!tensors.TryGetValue(prefix + name, out TensorData? source))
                throw new CheckpointFormatException(path, $"missing tensor '{prefix + name}'");
            if (!source.Shape.SequenceEqual(target.shape))
                throw new CheckpointFormatException(path, $"config does not fit the weights: '{prefix + name}' has shape [{string.Join(",", source.Shape)}], the config expects [{string.Join(",", target.shape)}]");
            using var t = torch.tensor(source.Data, source.Shape, dtype: ScalarType.Float32);
            target.copy_(t);
        }
    }
}
