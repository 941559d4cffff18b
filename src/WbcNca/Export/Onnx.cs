using System.Runtime.InteropServices;

namespace WbcNca.Export;

/// <summary>
/// Encoders for the few messages of <c>onnx.proto</c> (ONNX IR version 8) that the exporter writes: ModelProto,
/// GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto and their types. Field numbers are those of
/// the official schema (github.com/onnx/onnx, onnx/onnx.proto).
/// </summary>
public static class Onnx
{
    /// <summary>ONNX IR version written (8 goes with opset 17).</summary>
    public const long IrVersion = 8;

    /// <summary>TensorProto.DataType.FLOAT.</summary>
    public const int Float = 1;

    /// <summary>TensorProto.DataType.INT64.</summary>
    public const int Int64 = 7;

    /// <summary>TensorProto.DataType.BOOL.</summary>
    public const int Bool = 9;

    /// <summary>A float32 tensor (initializer or attribute value) stored as little-endian raw data.</summary>
    public static ProtoWriter FloatTensor(string name, long[] dims, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        var t = new ProtoWriter();
        foreach (long d in dims) t.Int(1, d);
        t.Int(2, Float);
        if (name.Length > 0) t.String(8, name);
        t.Bytes(9, MemoryMarshal.AsBytes(values));
        return t;
    }

    /// <summary>An int64 tensor stored as little-endian raw data.</summary>
    public static ProtoWriter Int64Tensor(string name, long[] dims, ReadOnlySpan<long> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        var t = new ProtoWriter();
        foreach (long d in dims) t.Int(1, d);
        t.Int(2, Int64);
        if (name.Length > 0) t.String(8, name);
        t.Bytes(9, MemoryMarshal.AsBytes(values));
        return t;
    }

    /// <summary>
    /// A ValueInfoProto for a tensor; each dimension is a fixed size (long), a symbolic name (string), or
    /// <c>null</c> for an unknown one; <paramref name="dims"/> null leaves the shape out.
    /// </summary>
    public static ProtoWriter Value(string name, int elementType, params object?[]? dims)
    {
        var tensorType = new ProtoWriter().Int(1, elementType);
        if (dims is not null)
        {
            var shape = new ProtoWriter();
            foreach (object? d in dims)
            {
                var dim = new ProtoWriter();
                switch (d)
                {
                    case long v: dim.Int(1, v); break;
                    case int v: dim.Int(1, v); break;
                    case string p: dim.String(2, p); break;
                    case null: break;
                    default: throw new ArgumentException($"dimension must be a number, a name or null, got {d.GetType().Name}");
                }
                shape.Message(1, dim);
            }
            tensorType.Message(2, shape);
        }
        var type = new ProtoWriter().Message(1, tensorType);
        return new ProtoWriter().String(1, name).Message(2, type);
    }

    /// <summary>A NodeProto: <paramref name="op"/> from the default domain with inputs, outputs and attributes.</summary>
    public static ProtoWriter Node(string op, string name, string[] inputs, string[] outputs, params ProtoWriter[] attributes)
    {
        var n = new ProtoWriter();
        foreach (string i in inputs) n.String(1, i);
        foreach (string o in outputs) n.String(2, o);
        n.String(3, name);
        n.String(4, op);
        foreach (ProtoWriter a in attributes) n.Message(5, a);
        return n;
    }

    /// <summary>An INT attribute.</summary>
    public static ProtoWriter Attr(string name, long value) => new ProtoWriter().String(1, name).Int(3, value).Int(20, 2);

    /// <summary>A STRING attribute.</summary>
    public static ProtoWriter Attr(string name, string value) => new ProtoWriter().String(1, name).String(4, value).Int(20, 3);

    /// <summary>An INTS attribute.</summary>
    public static ProtoWriter Attr(string name, long[] values)
    {
        var a = new ProtoWriter().String(1, name);
        foreach (long v in values) a.Int(8, v);
        return a.Int(20, 7);
    }

    /// <summary>A TENSOR attribute.</summary>
    public static ProtoWriter Attr(string name, ProtoWriter tensor) => new ProtoWriter().String(1, name).Message(5, tensor).Int(20, 4);

    /// <summary>A GRAPH attribute (e.g. a Loop body).</summary>
    public static ProtoWriter GraphAttr(string name, ProtoWriter graph) => new ProtoWriter().String(1, name).Message(6, graph).Int(20, 5);

    /// <summary>A GraphProto from its nodes (in topological order), initializers, inputs and outputs.</summary>
    public static ProtoWriter Graph(string name, IEnumerable<ProtoWriter> nodes, IEnumerable<ProtoWriter> initializers,
                                    IEnumerable<ProtoWriter> inputs, IEnumerable<ProtoWriter> outputs, string? doc = null)
    {
        var g = new ProtoWriter();
        foreach (ProtoWriter n in nodes) g.Message(1, n);
        g.String(2, name);
        foreach (ProtoWriter t in initializers) g.Message(5, t);
        if (doc is not null) g.String(10, doc);
        foreach (ProtoWriter i in inputs) g.Message(11, i);
        foreach (ProtoWriter o in outputs) g.Message(12, o);
        return g;
    }

    /// <summary>A ModelProto around <paramref name="graph"/> for the default-domain opset <paramref name="opset"/>, with string metadata.</summary>
    public static ProtoWriter Model(ProtoWriter graph, long opset, string producer, string producerVersion, string doc,
                                    IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var m = new ProtoWriter();
        m.Int(1, IrVersion);
        m.String(2, producer);
        m.String(3, producerVersion);
        m.String(6, doc);
        m.Message(7, graph);
        m.Message(8, new ProtoWriter().String(1, "").Int(2, opset));
        foreach (var (k, v) in metadata) m.Message(14, new ProtoWriter().String(1, k).String(2, v));
        return m;
    }
}
