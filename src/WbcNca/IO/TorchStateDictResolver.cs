namespace WbcNca.IO;

/// <summary>
/// The allow-list of a PyTorch state dict pickle: <c>collections.OrderedDict</c>, the tensor and parameter
/// rebuild functions of <c>torch._utils</c>, and the typed storage classes (<c>torch.FloatStorage</c> …).
/// Every other global is refused, so no code from a checkpoint is ever run: the allowed ones only
/// build plain descriptions (<see cref="PickleDict"/>, <see cref="TorchTensorView"/>).
/// </summary>
internal sealed class TorchStateDictResolver(string path) : IPickleResolver
{
    private static readonly PickleGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PickleGlobal RebuildTensorV2 = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly PickleGlobal RebuildParameter = new("torch._utils", "_rebuild_parameter");

    private static readonly Dictionary<string, ElementType> StorageTypes = new()
    {
        ["FloatStorage"] = ElementType.Float32,
        ["DoubleStorage"] = ElementType.Float64,
        ["HalfStorage"] = ElementType.Float16,
        ["BFloat16Storage"] = ElementType.BFloat16,
        ["LongStorage"] = ElementType.Int64,
        ["IntStorage"] = ElementType.Int32,
        ["ShortStorage"] = ElementType.Int16,
        ["CharStorage"] = ElementType.Int8,
        ["ByteStorage"] = ElementType.UInt8,
        ["BoolStorage"] = ElementType.Bool,
    };

    private readonly Dictionary<string, TorchStorage> _storages = [];

    /// <inheritdoc/>
    public object ResolveGlobal(string module, string name)
    {
        var global = new PickleGlobal(module, name);
        if (global == OrderedDict || global == RebuildTensorV2 || global == RebuildParameter
            || (module == "torch" && StorageTypes.ContainsKey(name)))
            return global;
        throw Fail($"not a plain state dict (refuses global '{global}')");
    }

    /// <inheritdoc/>
    public object? Reduce(object? callable, object?[] args)
    {
        if (callable is not PickleGlobal global) throw Fail($"not a plain state dict (calls a {RestrictedUnpickler.Describe(callable)})");
        if (global == OrderedDict)
        {
            if (args.Length != 0) throw Fail("not a plain state dict (OrderedDict built with arguments)");
            return new PickleDict();
        }
        if (global == RebuildTensorV2) return RebuildTensor(args);
        if (global == RebuildParameter)
        {
            if (args.Length < 1 || args[0] is not TorchTensorView data) throw Fail("malformed pickle (a parameter without tensor data)");
            return data;
        }
        throw Fail($"not a plain state dict (calls '{global}')");
    }

    /// <inheritdoc/>
    public void Build(object? target, object? state)
    {
        // A state dict's OrderedDict carries its `_metadata` attribute (module versions) this way; it is not needed.
        if (target is not PickleDict) throw Fail($"not a plain state dict (sets the state of a {RestrictedUnpickler.Describe(target)})");
    }

    /// <inheritdoc/>
    public object PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage")
            throw Fail("not a plain state dict (unknown persistent id)");
        if (t[1] is not PickleGlobal { Module: "torch" } type || !StorageTypes.TryGetValue(type.Name, out ElementType elementType))
            throw Fail($"unsupported storage type ({RestrictedUnpickler.Describe(t[1])})");
        if (t[2] is not string key || key.Length == 0 || key.Contains('/') || key.Contains('\\') || key.Contains(".."))
            throw Fail("malformed pickle (bad storage key)");
        if (t[4] is not long count || count < 0) throw Fail("malformed pickle (bad storage size)");
        if (_storages.TryGetValue(key, out TorchStorage? known))
        {
            if (known.Type != elementType || known.Count != count) throw Fail($"storage {key} is described twice differently");
            return known;
        }
        var storage = new TorchStorage(key, elementType, count);
        _storages[key] = storage;
        return storage;
    }

    private TorchTensorView RebuildTensor(object?[] args)
    {
        // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (args.Length is < 6 or > 7 || args[0] is not TorchStorage storage || args[1] is not long offset
            || args[2] is not object?[] size || args[3] is not object?[] stride || size.Length != stride.Length)
            throw Fail("malformed pickle (bad tensor description)");
        long[] sizes = ToLongs(size);
        long[] strides = ToLongs(stride);
        return new TorchTensorView(storage, offset, sizes, strides);
    }

    private long[] ToLongs(object?[] values) =>
        values.Select(v => v is long l ? l : throw Fail("malformed pickle (a tensor size or stride is not an integer)")).ToArray();

    private CheckpointFormatException Fail(string problem) => new(path, problem);
}
