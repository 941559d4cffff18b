using System.Buffers.Binary;
using System.Text;

namespace WbcNca.Export;

/// <summary>
/// A minimal protocol-buffers encoder (wire types 0 = varint, 2 = length-delimited, 5 = 32-bit): enough to write
/// the few <c>onnx.proto</c> messages the exporter needs without generated code or a protobuf dependency.
/// Fields are written in the order the caller gives; nested messages are encoded into their own writer first
/// and then embedded with <see cref="Message"/>.
/// </summary>
public sealed class ProtoWriter
{
    private readonly MemoryStream buffer = new();

    /// <summary>Number of bytes written so far.</summary>
    public long Length => buffer.Length;

    /// <summary>The encoded message.</summary>
    public byte[] ToArray() => buffer.ToArray();

    /// <summary>Writes an int64/int32/enum/bool field (wire type 0).</summary>
    public ProtoWriter Int(int field, long value)
    {
        Tag(field, 0);
        Varint(unchecked((ulong)value));
        return this;
    }

    /// <summary>Writes a 32-bit float field (wire type 5).</summary>
    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        buffer.Write(b);
        return this;
    }

    /// <summary>Writes a UTF-8 string field (wire type 2).</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Writes a bytes field (wire type 2).</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        buffer.Write(value);
        return this;
    }

    /// <summary>Writes an embedded message field (wire type 2).</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.buffer.GetBuffer().AsSpan(0, (int)message.buffer.Length));

    /// <summary>Writes a packed repeated int64 field.</summary>
    public ProtoWriter PackedInts(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (long v in values) inner.Varint(unchecked((ulong)v));
        return Message(field, inner);
    }

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        buffer.WriteByte((byte)value);
    }
}
