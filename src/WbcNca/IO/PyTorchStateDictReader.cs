using System.IO.Compression;
using System.Text;

namespace WbcNca.IO;

/// <summary>
/// Reads a PyTorch state dict saved with <c>torch.save(model.state_dict(), path)</c> in the zip format
/// (the default since PyTorch 1.6): <c>TOP/data.pkl</c>, <c>TOP/data/KEY</c>, <c>TOP/byteorder</c> and
/// <c>TOP/version</c>, where TOP is any folder name. The pickle is read by a restricted unpickler that
/// accepts only what a state dict needs and never runs code from the file.
/// </summary>
/// <remarks>
/// Tensors become contiguous row-major float32 (<see cref="TensorData"/>), whatever their storage offset and
/// strides. float64, float16 and bfloat16 values are converted to float32; integer and bool tensors (such as
/// BatchNorm's <c>num_batches_tracked</c>) are converted too and kept under their key (exact up to 2^24).
/// Legacy (pre-1.6, non-zip) files and TorchScript archives are refused with a clear message.
/// </remarks>
public static class PyTorchStateDictReader
{
    private static readonly byte[] ZipMagic = "PK\u0003\u0004"u8.ToArray();

    /// <summary>Reads the state dict at <paramref name="path"/>: parameter name → tensor, in the file's order.</summary>
    /// <exception cref="CheckpointFormatException">Not a readable PyTorch zip state dict (the message names the file and the problem).</exception>
    /// <exception cref="WbcNcaException">The file does not exist or cannot be opened.</exception>
    public static IReadOnlyDictionary<string, TensorData> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw ex is FileNotFoundException or DirectoryNotFoundException
                ? WbcNcaException.ForFile(path, "no such file")
                : WbcNcaException.ForFile(path, $"cannot read: {ex.Message.ReplaceLineEndings(" ")}");
        }
        CheckKind(path, bytes);
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            return ReadArchive(path, zip);
        }
        catch (InvalidDataException ex)
        {
            throw new CheckpointFormatException(path, $"not a readable PyTorch checkpoint (corrupt or truncated zip: {ex.Message})", ex);
        }
    }

    private static void CheckKind(string path, byte[] bytes)
    {
        if (bytes.Length == 0) throw new CheckpointFormatException(path, "empty file (0 bytes), not a PyTorch checkpoint");
        if (bytes.AsSpan().StartsWith(ZipMagic)) return;
        if (bytes[0] == 0x80)
            throw new CheckpointFormatException(path, "a legacy (pre-1.6, non-zip) torch.save file; re-save it with a recent PyTorch (torch.save(torch.load(f), f))");
        if (SafeTensorsFile.LooksLikeSafeTensors(bytes))
            throw new CheckpointFormatException(path, "a safetensors file, not a PyTorch checkpoint (read it as safetensors)");
        throw new CheckpointFormatException(path, "not a PyTorch checkpoint (not a zip archive)");
    }

    private static Dictionary<string, TensorData> ReadArchive(string path, ZipArchive zip)
    {
        ZipArchiveEntry pickleEntry = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                                                                      && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length)
            ?? throw new CheckpointFormatException(path, zip.Entries.Any(e => e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal))
                ? "a TorchScript archive, not a state dict saved with torch.save"
                : "not a PyTorch checkpoint (the zip has no TOP/data.pkl entry)");
        string top = pickleEntry.FullName[..^"data.pkl".Length];
        bool bigEndian = ReadByteOrder(path, zip, top);

        var resolver = new TorchStateDictResolver(path);
        object? root = RestrictedUnpickler.Load(ReadEntry(path, pickleEntry), path, resolver);
        if (root is not PickleDict dict)
            throw new CheckpointFormatException(path, $"not a plain state dict (the file holds a {RestrictedUnpickler.Describe(root)}, not a dict of tensors)");

        var storages = new Dictionary<string, float[]>();
        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach ((object key, object? value) in dict.Items)
        {
            if (key is not string name) throw new CheckpointFormatException(path, $"not a plain state dict (a key is a {RestrictedUnpickler.Describe(key)})");
            if (value is not TorchTensorView view)
                throw new CheckpointFormatException(path, $"not a plain state dict ('{name}' is a {RestrictedUnpickler.Describe(value)}, not a tensor)");
            if (!storages.TryGetValue(view.Storage.Key, out float[]? storage))
            {
                storage = LoadStorage(path, zip, top, view.Storage, bigEndian);
                storages[view.Storage.Key] = storage;
            }
            result[name] = Materialize(path, name, view, storage);
        }
        return result;
    }

    private static bool ReadByteOrder(string path, ZipArchive zip, string top)
    {
        ZipArchiveEntry? entry = zip.GetEntry(top + "byteorder");
        if (entry is null) return false; // files older than the byteorder record are little-endian
        string order = Encoding.ASCII.GetString(ReadEntry(path, entry)).Trim();
        return order switch
        {
            "little" => false,
            "big" => true,
            _ => throw new CheckpointFormatException(path, $"unknown byte order '{order}'"),
        };
    }

    private static float[] LoadStorage(string path, ZipArchive zip, string top, TorchStorage storage, bool bigEndian)
    {
        ZipArchiveEntry entry = zip.GetEntry($"{top}data/{storage.Key}")
            ?? throw new CheckpointFormatException(path, $"storage entry {top}data/{storage.Key} is missing");
        long needed = storage.Count * ElementDecoder.SizeOf(storage.Type);
        if (entry.Length < needed)
            throw new CheckpointFormatException(path, $"storage entry {entry.FullName} holds {entry.Length} bytes, {needed} expected (truncated)");
        byte[] bytes = ReadEntry(path, entry);
        return ElementDecoder.Decode(bytes.AsSpan(0, (int)needed), storage.Type, bigEndian);
    }

    private static TensorData Materialize(string path, string name, TorchTensorView view, float[] storage)
    {
        long count;
        try
        {
            count = TensorData.ElementCount(view.Size);
        }
        catch (ArgumentException ex)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}': {ex.Message}");
        }
        var data = new float[count];
        if (count > 0)
        {
            long last = view.Offset;
            for (int d = 0; d < view.Size.Length; d++)
            {
                if (view.Stride[d] < 0) throw new CheckpointFormatException(path, $"tensor '{name}' has a negative stride");
                last = SaturatingAdd(last, SaturatingMultiply(view.Size[d] - 1, view.Stride[d]));
            }
            if (view.Offset < 0 || last >= storage.Length)
                throw new CheckpointFormatException(path, $"tensor '{name}' reaches outside its storage ({storage.Length} elements)");
            Gather(view, storage, data);
        }
        return new TensorData(view.Size, data);
    }

    /// <summary>Copies the elements of a strided view into row-major order.</summary>
    private static void Gather(TorchTensorView view, float[] storage, float[] data)
    {
        int rank = view.Size.Length;
        if (IsContiguous(view.Size, view.Stride))
        {
            Array.Copy(storage, view.Offset, data, 0, data.Length);
            return;
        }
        var index = new long[rank];
        long position = view.Offset;
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = storage[position];
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                position += view.Stride[d];
                if (index[d] < view.Size[d]) break;
                position -= index[d] * view.Stride[d];
                index[d] = 0;
            }
        }
    }

    private static long SaturatingMultiply(long a, long b) => b != 0 && a > long.MaxValue / b ? long.MaxValue : a * b;

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static bool IsContiguous(long[] size, long[] stride)
    {
        long expected = 1;
        for (int d = size.Length - 1; d >= 0; d--)
        {
            if (size[d] != 1 && stride[d] != expected) return false;
            expected *= size[d];
        }
        return true;
    }

    private static byte[] ReadEntry(string path, ZipArchiveEntry entry)
    {
        if (entry.Length > Array.MaxLength) throw new CheckpointFormatException(path, $"entry {entry.FullName} is too large");
        var bytes = new byte[entry.Length];
        try
        {
            using Stream stream = entry.Open();
            stream.ReadExactly(bytes);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new CheckpointFormatException(path, $"entry {entry.FullName} cannot be read (corrupt or truncated zip)", ex);
        }
        return bytes;
    }
}
