namespace WbcNca.IO;

/// <summary>A storage that a PyTorch zip checkpoint refers to by key: the entry data/KEY holding <see cref="Count"/> elements.</summary>
/// <param name="Key">The entry name below the archive's data folder.</param>
/// <param name="Type">Element type of the storage.</param>
/// <param name="Count">Number of elements the pickle says it holds.</param>
internal sealed record TorchStorage(string Key, ElementType Type, long Count);
