using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using WbcNca.IO;

namespace WbcNca.Tests.IO;

public sealed class SafeTensorsFileTests
{
    private static Dictionary<string, TensorData> SampleTensors() => new()
    {
        ["z.last"] = new([2, 3], [1f, -2f, 3.5f, float.NaN, float.PositiveInfinity, -0f]),
        ["a.first"] = new([4], [float.Epsilon, float.MaxValue, float.MinValue, 1e-30f]),
        ["m.scalar"] = new([], [42.25f]),
        ["m.empty"] = new([0, 5], []),
        ["m.kernel"] = new([2, 1, 3, 3], [.. Enumerable.Range(0, 18).Select(i => i * 0.1f - 0.7f)]),
    };

    private static readonly Dictionary<string, string> SampleMetadata = new()
    {
        ["format"] = "wbc-nca",
        ["normalization"] = "matek19",
        ["note"] = "ünïcødé, \"quotes\" and\nnewlines",
    };

    [Fact]
    public void What_is_written_reads_back_identically()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.safetensors");
        Dictionary<string, TensorData> tensors = SampleTensors();

        SafeTensorsFile.Write(path, tensors, SampleMetadata);
        SafeTensorsContent content = SafeTensorsFile.Read(path);

        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), content.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, TensorData expected) in tensors)
        {
            Assert.Equal(expected.Shape, content.Tensors[name].Shape);
            Assert.Equal(expected.Data.Select(BitConverter.SingleToInt32Bits), content.Tensors[name].Data.Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal(SampleMetadata.OrderBy(kv => kv.Key), content.Metadata.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void A_written_file_follows_the_format_when_parsed_by_hand()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.safetensors");
        Dictionary<string, TensorData> tensors = SampleTensors();
        SafeTensorsFile.Write(path, tensors, SampleMetadata);
        byte[] file = File.ReadAllBytes(path);

        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0, n % 8); // data block aligned to 8 bytes
        string header = Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.StartsWith("{", header);
        Assert.EndsWith("}", header.TrimEnd(' '));
        using JsonDocument json = JsonDocument.Parse(header);
        JsonElement root = json.RootElement;
        Assert.Equal("matek19", root.GetProperty("__metadata__").GetProperty("normalization").GetString());

        string[] names = [.. root.EnumerateObject().Select(p => p.Name).Where(p => p != "__metadata__")];
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), names); // sorted by name
        long expectedBegin = 0;
        foreach (string name in names)
        {
            JsonElement info = root.GetProperty(name);
            Assert.Equal("F32", info.GetProperty("dtype").GetString());
            Assert.Equal(tensors[name].Shape, info.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
            long[] offsets = [.. info.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64())];
            Assert.Equal(expectedBegin, offsets[0]);
            Assert.Equal(expectedBegin + 4L * tensors[name].Data.Length, offsets[1]);
            for (int i = 0; i < tensors[name].Data.Length; i++)
            {
                float stored = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(8 + n + offsets[0] + 4 * i)));
                Assert.Equal(BitConverter.SingleToInt32Bits(tensors[name].Data[i]), BitConverter.SingleToInt32Bits(stored));
            }
            expectedBegin = offsets[1];
        }
        Assert.Equal(8 + n + expectedBegin, file.Length);
    }

    [Fact]
    public void Empty_metadata_is_left_out_and_reads_back_empty()
    {
        using var temp = new TempFolder();
        string path = temp.File("plain.safetensors");

        SafeTensorsFile.Write(path, new Dictionary<string, TensorData> { ["w"] = new([1], [1f]) }, new Dictionary<string, string>());

        Assert.DoesNotContain("__metadata__", File.ReadAllText(path));
        Assert.Empty(SafeTensorsFile.Read(path).Metadata);
    }

    /// <summary>Writes a safetensors file by hand: header length, header, data.</summary>
    private static void WriteRaw(string path, string header, byte[] data, ulong? headerLength = null)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void F64_F16_and_BF16_tensors_from_other_writers_read_as_float32()
    {
        using var temp = new TempFolder();
        string path = temp.File("mixed.safetensors");
        var data = new List<byte>();
        foreach (double d in new[] { 0.1, -2.5 }) { var b = new byte[8]; BinaryPrimitives.WriteDoubleLittleEndian(b, d); data.AddRange(b); }
        foreach (float f in new[] { 0.5f, -1.0f, 65504f }) { var b = new byte[2]; BinaryPrimitives.WriteHalfLittleEndian(b, (Half)f); data.AddRange(b); }
        data.AddRange([0x80, 0x3f, 0x49, 0xc0]); // bfloat16 1.0 and -3.140625
        string header = """{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"h":{"dtype":"F16","shape":[3,1],"data_offsets":[16,22]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[22,26]}}   """;
        WriteRaw(path, header, [.. data]);

        SafeTensorsContent content = SafeTensorsFile.Read(path);

        Assert.Equal([(float)0.1, -2.5f], content.Tensors["d"].Data);
        Assert.Equal([3L, 1L], content.Tensors["h"].Shape);
        Assert.Equal([0.5f, -1f, 65504f], content.Tensors["h"].Data);
        Assert.Equal([1f, -3.140625f], content.Tensors["b"].Data);
    }

    public static TheoryData<string, string, int, ulong?, string> CorruptFiles => new()
    {
        { "header length beyond the file", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, 1_000_000UL, "header length 1000000 does not fit the file's" },
        { "header length zero", """{}""", 0, 0UL, "header length 0 does not fit" },
        { "offsets beyond the data", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, null, "data_offsets [0, 8] lie outside the data block (4 bytes)" },
        { "overlapping offsets", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, null, "overlaps another tensor's data" },
        { "a gap", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, null, "a gap in the data block before tensor 'a'" },
        { "length not matching the shape", """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, null, "spans 8 bytes but shape [3] of F32 needs 12" },
        { "an unknown dtype", """{"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}""", 4, null, "dtype 'Q7'; only F32, F64, F16 and BF16 can be read" },
        { "invalid JSON", """{"w":{"dtype":"F32",""", 4, null, "the header is not valid JSON" },
        { "a negative dimension", """{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, null, "shape entry that is not a non-negative integer" },
        { "a missing field", """{"w":{"dtype":"F32","shape":[1]}}""", 4, null, "needs dtype, shape and data_offsets" },
        { "non-string metadata", """{"__metadata__":{"epoch":3}}""", 0, null, "__metadata__ 'epoch' is not a string" },
        { "bytes left over", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8, null, "the data block holds 8 bytes but the tensors use 4" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void A_corrupt_file_is_rejected_naming_the_file_and_the_problem(string what, string header, int dataLength, ulong? headerLength, string expected)
    {
        using var temp = new TempFolder();
        string path = temp.File("corrupt.safetensors");
        WriteRaw(path, header, new byte[dataLength], headerLength);

        var ex = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(path));

        Assert.StartsWith($"{path}: ", ex.Message);
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {ex.Message}");
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void A_pytorch_checkpoint_renamed_safetensors_is_recognised_and_refused()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.safetensors");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "IO", "Resources", "tiny_state_dict.pt"), path);

        var ex = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(path));

        Assert.Equal($"{path}: a PyTorch zip checkpoint, not a safetensors file (read it as a PyTorch state dict)", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void A_file_too_short_for_a_header_is_a_clear_error(int length)
    {
        using var temp = new TempFolder();
        string path = temp.File("short.safetensors");
        File.WriteAllBytes(path, new byte[length]);

        var ex = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(path));

        Assert.StartsWith($"{path}: ", ex.Message);
        Assert.Contains(length == 0 ? "empty file" : "shorter than the 8-byte header length", ex.Message);
    }

    [Fact]
    public void Random_bytes_are_not_taken_for_a_safetensors_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("random.safetensors");
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(path));

        Assert.StartsWith($"{path}: not a safetensors file", ex.Message);
    }

    [Fact]
    public void A_tensor_named_like_the_metadata_cannot_be_written()
    {
        using var temp = new TempFolder();
        string path = temp.File("bad.safetensors");

        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(path, new Dictionary<string, TensorData> { ["__metadata__"] = new([1], [1f]) }, new Dictionary<string, string>()));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_missing_file_is_a_one_line_user_error()
    {
        using var temp = new TempFolder();
        string path = temp.File("absent.safetensors");

        var ex = Assert.Throws<WbcNcaException>(() => SafeTensorsFile.Read(path));

        Assert.Equal($"{path}: no such file", ex.Message);
    }
}
