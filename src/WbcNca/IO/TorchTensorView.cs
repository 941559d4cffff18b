namespace WbcNca.IO;

/// <summary>A tensor as a PyTorch pickle describes it: a view (offset, sizes, strides in elements) into a storage.</summary>
internal sealed record TorchTensorView(TorchStorage Storage, long Offset, long[] Size, long[] Stride);
