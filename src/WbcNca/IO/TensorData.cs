namespace WbcNca.IO;

/// <summary>
/// A tensor as plain data: its shape and its values in row-major (C) order, contiguous, as float32.
/// A scalar has an empty shape and one value. Equality of two instances is reference equality of the
/// arrays (as for any record holding arrays), not equality of their contents.
/// </summary>
public sealed record TensorData
{
    /// <summary>Creates the tensor after checking that <paramref name="Data"/> holds exactly product(<paramref name="Shape"/>) values.</summary>
    /// <param name="Shape">Size of each dimension (each at least 0); empty for a scalar.</param>
    /// <param name="Data">The values in row-major order.</param>
    /// <exception cref="ArgumentException">A negative dimension, or a value count that does not match the shape.</exception>
    public TensorData(long[] Shape, float[] Data)
    {
        ArgumentNullException.ThrowIfNull(Shape);
        ArgumentNullException.ThrowIfNull(Data);
        long count = ElementCount(Shape);
        if (count != Data.Length)
            throw new ArgumentException($"shape [{string.Join(",", Shape)}] needs {count} values but {Data.Length} were given", nameof(Data));
        this.Shape = Shape;
        this.Data = Data;
    }

    /// <summary>Size of each dimension; empty for a scalar.</summary>
    public long[] Shape { get; }

    /// <summary>The values in row-major order; its length is the product of <see cref="Shape"/>.</summary>
    public float[] Data { get; }

    /// <summary>Deconstructs into shape and values.</summary>
    public void Deconstruct(out long[] Shape, out float[] Data)
    {
        Shape = this.Shape;
        Data = this.Data;
    }

    /// <summary>Number of values a tensor of <paramref name="shape"/> holds.</summary>
    /// <exception cref="ArgumentException">A negative dimension, or more values than an array can hold.</exception>
    internal static long ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension {d} in shape [{string.Join(",", shape)}]");
            if (d != 0 && count > Array.MaxLength / d)
                throw new ArgumentException($"shape [{string.Join(",", shape)}] has more values than an array can hold");
            count *= d;
        }
        return count;
    }
}
