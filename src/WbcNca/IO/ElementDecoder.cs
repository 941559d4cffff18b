using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace WbcNca.IO;

/// <summary>Converts stored elements of an <see cref="ElementType"/> to float32.</summary>
internal static class ElementDecoder
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(ElementType type) => type switch
    {
        ElementType.Float64 or ElementType.Int64 => 8,
        ElementType.Float32 or ElementType.Int32 => 4,
        ElementType.Float16 or ElementType.BFloat16 or ElementType.Int16 => 2,
        ElementType.Int8 or ElementType.UInt8 or ElementType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>
    /// Decodes <paramref name="bytes"/> (a whole number of elements) to float32. Float64 values are rounded
    /// to the nearest float32; integers are exact up to 2^24 in magnitude; bool becomes 0 or 1.
    /// </summary>
    /// <param name="bytes">The stored elements.</param>
    /// <param name="type">Their type.</param>
    /// <param name="bigEndian">True when the elements are stored big-endian.</param>
    public static float[] Decode(ReadOnlySpan<byte> bytes, ElementType type, bool bigEndian)
    {
        int size = SizeOf(type);
        if (bytes.Length % size != 0) throw new ArgumentException("not a whole number of elements", nameof(bytes));
        var result = new float[bytes.Length / size];
        if (type == ElementType.Float32 && !bigEndian && BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(result);
            return result;
        }
        for (int i = 0; i < result.Length; i++)
        {
            ReadOnlySpan<byte> e = bytes.Slice(i * size, size);
            result[i] = type switch
            {
                ElementType.Float32 => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(e) : BinaryPrimitives.ReadSingleLittleEndian(e),
                ElementType.Float64 => (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(e) : BinaryPrimitives.ReadDoubleLittleEndian(e)),
                ElementType.Float16 => (float)(bigEndian ? BinaryPrimitives.ReadHalfBigEndian(e) : BinaryPrimitives.ReadHalfLittleEndian(e)),
                ElementType.BFloat16 => BitConverter.Int32BitsToSingle((bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(e) : BinaryPrimitives.ReadUInt16LittleEndian(e)) << 16),
                ElementType.Int64 => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e),
                ElementType.Int32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(e) : BinaryPrimitives.ReadInt32LittleEndian(e),
                ElementType.Int16 => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(e) : BinaryPrimitives.ReadInt16LittleEndian(e),
                ElementType.Int8 => (sbyte)e[0],
                ElementType.UInt8 => e[0],
                ElementType.Bool => e[0] != 0 ? 1f : 0f,
                _ => throw new ArgumentOutOfRangeException(nameof(type)),
            };
        }
        return result;
    }
}
