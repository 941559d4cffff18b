using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace WbcNca.IO;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON <c>{"NAME": {"dtype", "shape", "data_offsets": [begin, end]},
/// "__metadata__": {string: string}}</c> padded with spaces, then the data block that the offsets index
/// (little-endian, row-major, no gaps, no overlaps).
/// </summary>
public static class SafeTensorsFile
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderLength = 100_000_000; // the reference implementation's limit

    private static readonly Dictionary<string, ElementType> ReadableTypes = new(StringComparer.Ordinal)
    {
        ["F32"] = ElementType.Float32,
        ["F64"] = ElementType.Float64,
        ["F16"] = ElementType.Float16,
        ["BF16"] = ElementType.BFloat16,
    };

    /// <summary>
    /// Writes <paramref name="tensors"/> as F32, sorted by name, with <paramref name="metadata"/>, to
    /// <paramref name="path"/> atomically (see <see cref="AtomicFile"/>). The header is padded with spaces so the
    /// data block starts at a multiple of 8 bytes.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor named "__metadata__" or with an empty name.</exception>
    /// <exception cref="WbcNcaException">The file cannot be written.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        string[] names = tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        foreach (string name in names)
        {
            if (name.Length == 0 || name == MetadataKey) throw new ArgumentException($"'{name}' cannot name a tensor in a safetensors file", nameof(tensors));
            ArgumentNullException.ThrowIfNull(tensors[name], $"{nameof(tensors)}[{name}]");
        }

        byte[] header = BuildHeader(names, tensors, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            var buffer = new byte[1 << 16];
            foreach (string name in names)
            {
                float[] data = tensors[name].Data;
                for (int i = 0; i < data.Length;)
                {
                    int n = Math.Min(buffer.Length / 4, data.Length - i);
                    for (int j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(j * 4), data[i + j]);
                    stream.Write(buffer, 0, n * 4);
                    i += n;
                }
            }
        });
    }

    private static byte[] BuildHeader(string[] names, IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata.Count > 0)
            {
                writer.WriteStartObject(MetadataKey);
                foreach ((string key, string value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    writer.WriteString(key, value ?? throw new ArgumentException($"metadata '{key}' is null", nameof(metadata)));
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (string name in names)
            {
                TensorData tensor = tensors[name];
                writer.WriteStartObject(name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (long d in tensor.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                offset += 4L * tensor.Data.Length;
                writer.WriteNumberValue(offset);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        int padded = (int)((json.Length + 7) / 8 * 8);
        byte[] header = new byte[padded];
        json.ToArray().CopyTo(header, 0);
        header.AsSpan((int)json.Length).Fill((byte)' ');
        return header;
    }

    /// <summary>Reads the safetensors file at <paramref name="path"/>, converting F32, F64, F16 and BF16 tensors to float32.</summary>
    /// <exception cref="CheckpointFormatException">Not a valid safetensors file, or a tensor of another dtype (the message names the file and the problem).</exception>
    /// <exception cref="WbcNcaException">The file does not exist or cannot be opened.</exception>
    public static SafeTensorsContent Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw ex is FileNotFoundException or DirectoryNotFoundException
                ? WbcNcaException.ForFile(path, "no such file")
                : WbcNcaException.ForFile(path, $"cannot read: {ex.Message.ReplaceLineEndings(" ")}");
        }
        using (stream)
        {
            try
            {
                return Read(path, stream);
            }
            catch (IOException ex)
            {
                throw new CheckpointFormatException(path, $"cannot read: {ex.Message}", ex);
            }
        }
    }

    private static SafeTensorsContent Read(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        if (fileLength == 0) throw Fail(path, "empty file (0 bytes), not a safetensors file");
        Span<byte> prefix = stackalloc byte[8];
        if (fileLength < 8 || stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw Fail(path, $"not a safetensors file (only {fileLength} bytes, shorter than the 8-byte header length)");
        if (prefix.StartsWith("PK\u0003\u0004"u8))
            throw Fail(path, "a PyTorch zip checkpoint, not a safetensors file (read it as a PyTorch state dict)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength < 2 || headerLength > (ulong)(fileLength - 8) || headerLength > MaxHeaderLength)
            throw Fail(path, $"not a safetensors file (header length {headerLength} does not fit the file's {fileLength} bytes)");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;

        (List<Entry> entries, Dictionary<string, string> metadata) = ParseHeader(path, header, dataLength);

        var tensors = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        long dataStart = 8 + (long)headerLength;
        foreach (Entry entry in entries)
        {
            var bytes = new byte[entry.End - entry.Begin];
            stream.Position = dataStart + entry.Begin;
            stream.ReadExactly(bytes);
            tensors[entry.Name] = new TensorData(entry.Shape, ElementDecoder.Decode(bytes, entry.Type, bigEndian: false));
        }
        return new SafeTensorsContent(tensors, metadata);
    }

    private sealed record Entry(string Name, ElementType Type, long[] Shape, long Begin, long End);

    private static (List<Entry>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        if (header[0] != (byte)'{') throw Fail(path, "not a safetensors file (the header is not a JSON object)");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw Fail(path, $"not a safetensors file (the header is not valid JSON: {ex.Message})");
        }
        catch (ArgumentException ex)
        {
            throw Fail(path, $"not a safetensors file (the header is not valid UTF-8 JSON: {ex.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Fail(path, "not a safetensors file (the header is not a JSON object)");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name)) throw Fail(path, $"the header names '{property.Name}' twice");
                if (property.Name == MetadataKey) ReadMetadata(path, property.Value, metadata);
                else entries.Add(ReadEntry(path, property, dataLength));
            }
            CheckLayout(path, entries, dataLength);
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Fail(path, "__metadata__ is not an object");
        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String) throw Fail(path, $"__metadata__ '{item.Name}' is not a string");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static Entry ReadEntry(string path, JsonProperty property, long dataLength)
    {
        string name = property.Name;
        JsonElement info = property.Value;
        if (info.ValueKind != JsonValueKind.Object
            || !info.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String
            || !info.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array
            || !info.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array)
            throw Fail(path, $"tensor '{name}' needs dtype, shape and data_offsets in the header");
        string dtypeName = dtype.GetString()!;
        if (!ReadableTypes.TryGetValue(dtypeName, out ElementType type))
            throw Fail(path, $"tensor '{name}' has dtype '{dtypeName}'; only F32, F64, F16 and BF16 can be read");
        long[] dims = shape.EnumerateArray().Select(d => ReadNonNegative(path, name, "shape", d)).ToArray();
        long[] range = offsets.EnumerateArray().Select(d => ReadNonNegative(path, name, "data_offsets", d)).ToArray();
        if (range.Length != 2 || range[0] > range[1]) throw Fail(path, $"tensor '{name}' has malformed data_offsets");
        if (range[1] > dataLength)
            throw Fail(path, $"tensor '{name}' data_offsets [{range[0]}, {range[1]}] lie outside the data block ({dataLength} bytes)");
        long count;
        try
        {
            count = TensorData.ElementCount(dims);
        }
        catch (ArgumentException ex)
        {
            throw Fail(path, $"tensor '{name}': {ex.Message}");
        }
        long expected = count * ElementDecoder.SizeOf(type);
        if (range[1] - range[0] != expected)
            throw Fail(path, $"tensor '{name}' spans {range[1] - range[0]} bytes but shape [{string.Join(",", dims)}] of {dtypeName} needs {expected}");
        return new Entry(name, type, dims, range[0], range[1]);
    }

    private static long ReadNonNegative(string path, string name, string field, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long n) && n >= 0
            ? n
            : throw Fail(path, $"tensor '{name}' has a {field} entry that is not a non-negative integer");

    /// <summary>Checks that the tensors tile the data block exactly: no overlap, no gap, nothing left over.</summary>
    private static void CheckLayout(string path, List<Entry> entries, long dataLength)
    {
        long end = 0;
        foreach (Entry entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < end) throw Fail(path, $"tensor '{entry.Name}' overlaps another tensor's data");
            if (entry.Begin > end) throw Fail(path, $"a gap in the data block before tensor '{entry.Name}'");
            end = entry.End;
        }
        if (end != dataLength) throw Fail(path, $"the data block holds {dataLength} bytes but the tensors use {end}");
    }

    /// <summary>True when <paramref name="bytes"/> start like a safetensors file (a sane header length, then '{').</summary>
    internal static bool LooksLikeSafeTensors(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 10) return false;
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return headerLength >= 2 && headerLength <= (ulong)(bytes.Length - 8) && bytes[8] == (byte)'{';
    }

    private static CheckpointFormatException Fail(string path, string problem) => new(path, problem);
}
