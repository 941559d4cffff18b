using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace WbcNca.Tests.IO;

/// <summary>Builds pickle bytes opcode by opcode, and PyTorch-style zip checkpoints around them, for tests.</summary>
public sealed class PickleBuilder
{
    private readonly List<byte> _bytes = [0x80, 0x02]; // PROTO 2

    public byte[] ToArray() => [.. _bytes];

    public PickleBuilder Op(char opcode) { _bytes.Add((byte)opcode); return this; }

    public PickleBuilder Op(byte opcode) { _bytes.Add(opcode); return this; }

    public PickleBuilder Global(string module, string name) => Op('c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleBuilder Str(string s)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        return Op('X').Raw(length).Raw(utf8);
    }

    public PickleBuilder ShortStr(string s)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        return Op(0x8c).Raw([(byte)utf8.Length]).Raw(utf8);
    }

    public PickleBuilder Int(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return Op('J').Raw(b);
    }

    public PickleBuilder Ints(params int[] values)
    {
        Op('(');
        foreach (int v in values) Int(v);
        return Op('t');
    }

    public PickleBuilder Raw(byte[] bytes) { _bytes.AddRange(bytes); return this; }

    /// <summary>
    /// Pushes a tensor as torch pickles it: _rebuild_tensor_v2((storage pid), offset, size, stride, False, OrderedDict()).
    /// </summary>
    public PickleBuilder Tensor(string storageType, string key, int storageCount, int offset, int[] size, int[] stride) =>
        Global("torch._utils", "_rebuild_tensor_v2")
            .Op('(')
            .Op('(').Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(storageCount).Op('t').Op('Q')
            .Int(offset).Ints(size).Ints(stride).Op(0x89)
            .Global("collections", "OrderedDict").Op(')').Op('R')
            .Op('t').Op('R');

    /// <summary>A plain dict {name: tensor} over storage "0" holding <paramref name="storageCount"/> floats.</summary>
    public static byte[] OneTensorStateDict(string name, int storageCount, int offset, int[] size, int[] stride) =>
        new PickleBuilder().Op('}').Str(name).Tensor("FloatStorage", "0", storageCount, offset, size, stride).Op('s').Op('.').ToArray();

    /// <summary>Writes a zip checkpoint: TOP/data.pkl, TOP/byteorder, TOP/version and TOP/data/KEY for each storage.</summary>
    public static void WriteCheckpoint(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]> storages, string top = "archive")
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        void Add(string name, byte[] content)
        {
            using Stream s = zip.CreateEntry($"{top}/{name}", CompressionLevel.NoCompression).Open();
            s.Write(content);
        }
        Add("data.pkl", pickle);
        Add("byteorder", "little"u8.ToArray());
        foreach ((string key, byte[] bytes) in storages) Add($"data/{key}", bytes);
        Add("version", "3\n"u8.ToArray());
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }
}
