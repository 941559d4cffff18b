namespace WbcNca.IO;

/// <summary>What a safetensors file holds: its tensors by name and its string metadata (<c>__metadata__</c>).</summary>
/// <param name="Tensors">Tensor name → tensor, as float32.</param>
/// <param name="Metadata">The free-form string metadata; empty when the file has none.</param>
public sealed record SafeTensorsContent(IReadOnlyDictionary<string, TensorData> Tensors, IReadOnlyDictionary<string, string> Metadata);
