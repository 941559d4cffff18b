using System.Buffers.Binary;
using System.Text;

namespace WbcNca.IO;

/// <summary>
/// Reads a Python pickle (protocols 2 to 5) restricted to the opcodes a PyTorch state dict uses. It only
/// builds data: strings, integers, floats, booleans, None, tuples (<c>object?[]</c>), lists
/// (<see cref="List{T}"/>), dicts (<see cref="PickleDict"/>); globals, calls and persistent ids are handed to
/// an <see cref="IPickleResolver"/>. Any other opcode, malformed data or data ending early is a
/// <see cref="CheckpointFormatException"/>.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private const int MaxMemo = 1 << 24;

    private readonly byte[] _data;
    private readonly string _path;
    private readonly IPickleResolver _resolver;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    private RestrictedUnpickler(byte[] data, string path, IPickleResolver resolver)
    {
        _data = data;
        _path = path;
        _resolver = resolver;
    }

    /// <summary>Reads the object that <paramref name="data"/> pickles.</summary>
    /// <param name="data">The pickle bytes.</param>
    /// <param name="path">The file they come from, for messages.</param>
    /// <param name="resolver">Resolves globals, calls and persistent ids.</param>
    /// <exception cref="CheckpointFormatException">Malformed or not allowed.</exception>
    public static object? Load(byte[] data, string path, IPickleResolver resolver) =>
        new RestrictedUnpickler(data, path, resolver).Run();

    private object? Run()
    {
        while (true)
        {
            if (_pos >= _data.Length) throw Fail("the pickle ends before its STOP opcode");
            int at = _pos;
            byte op = _data[_pos++];
            switch (op)
            {
                case 0x80: // PROTO
                    int proto = ReadByte();
                    if (proto > 5) throw Fail($"pickle protocol {proto} is not supported");
                    break;
                case 0x95: Take(8); break; // FRAME: framing is only a hint
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0) throw Fail("the pickle's stack is not a single object at STOP");
                    return _stack[0];
                case (byte)'(': _marks.Push(_stack.Count); break; // MARK
                case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)'X': Push(ReadUtf8(ReadUInt32())); break; // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(ReadUInt64())); break; // BINUNICODE8
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a: Push(ReadLong1()); break; // LONG1
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'N': Push(null); break; // NONE
                case (byte)'t': Push(PopMark().ToArray()); break; // TUPLE
                case 0x85: Push(PopN(1)); break; // TUPLE1
                case 0x86: Push(PopN(2)); break; // TUPLE2
                case 0x87: Push(PopN(3)); break; // TUPLE3
                case (byte)'q': Memoize(ReadByte()); break; // BINPUT
                case (byte)'r': Memoize(ReadUInt32()); break; // LONG_BINPUT
                case 0x94: Memoize(_memo.Count); break; // MEMOIZE
                case (byte)'h': Push(Recall(ReadByte())); break; // BINGET
                case (byte)'j': Push(Recall(ReadUInt32())); break; // LONG_BINGET
                case (byte)'s': // SETITEM
                {
                    object? value = Pop();
                    object? key = Pop();
                    SetItem(PeekAs<PickleDict>("SETITEM"), key, value);
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    List<object?> items = PopMark();
                    if (items.Count % 2 != 0) throw Fail("SETITEMS with an odd number of items");
                    PickleDict dict = PeekAs<PickleDict>("SETITEMS");
                    for (int i = 0; i < items.Count; i += 2) SetItem(dict, items[i], items[i + 1]);
                    break;
                }
                case (byte)'a': // APPEND
                {
                    object? value = Pop();
                    PeekAs<List<object?>>("APPEND").Add(value);
                    break;
                }
                case (byte)'e': // APPENDS
                {
                    List<object?> items = PopMark();
                    PeekAs<List<object?>>("APPENDS").AddRange(items);
                    break;
                }
                case (byte)'c': // GLOBAL
                {
                    string module = ReadLine();
                    string name = ReadLine();
                    Push(_resolver.ResolveGlobal(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    object? name = Pop();
                    object? module = Pop();
                    if (module is not string m || name is not string n) throw Fail("STACK_GLOBAL needs two strings");
                    Push(_resolver.ResolveGlobal(m, n));
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    object? args = Pop();
                    object? callable = Pop();
                    if (args is not object?[] tuple) throw Fail("REDUCE arguments are not a tuple");
                    Push(_resolver.Reduce(callable, tuple));
                    break;
                }
                case (byte)'b': // BUILD
                {
                    object? state = Pop();
                    _resolver.Build(Peek(), state);
                    break;
                }
                case (byte)'Q': Push(_resolver.PersistentLoad(Pop())); break; // BINPERSID
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP
                default:
                    throw Fail($"unsupported pickle opcode 0x{op:x2} at byte {at} (not a plain state dict)");
            }
        }
    }

    private CheckpointFormatException Fail(string problem) => new(_path, problem);

    private void Push(object? value) => _stack.Add(value);

    private object? Peek() =>
        _stack.Count > 0 && (_marks.Count == 0 || _marks.Peek() < _stack.Count)
            ? _stack[^1]
            : throw Fail("malformed pickle (reads past a mark or an empty stack)");

    private object? Pop()
    {
        object? value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private T PeekAs<T>(string opcode) where T : class =>
        Peek() as T ?? throw Fail($"malformed pickle ({opcode} on a {Describe(Peek())})");

    private object?[] PopN(int n)
    {
        var items = new object?[n];
        for (int i = n - 1; i >= 0; i--) items[i] = Pop();
        return items;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Fail("malformed pickle (no mark to pop to)");
        int start = _marks.Pop();
        List<object?> items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private void SetItem(PickleDict dict, object? key, object? value)
    {
        if (key is not (string or long or bool or double)) throw Fail($"unsupported dict key ({Describe(key)})");
        dict.Set(key, value);
    }

    private void Memoize(long index)
    {
        if (_memo.Count >= MaxMemo && !_memo.ContainsKey(index)) throw Fail("pickle memo too large");
        _memo[index] = Peek();
    }

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out object? value) ? value : throw Fail($"malformed pickle (memo entry {index} is not set)");

    private ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > _data.Length - _pos) throw Fail("the pickle ends early (truncated)");
        var span = new ReadOnlySpan<byte>(_data, _pos, (int)count);
        _pos += (int)count;
        return span;
    }

    private int ReadByte() => Take(1)[0];

    private long ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    private long ReadUInt64()
    {
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        return value > int.MaxValue ? throw Fail("the pickle ends early (truncated)") : (long)value;
    }

    private string ReadUtf8(long length)
    {
        ReadOnlySpan<byte> bytes = Take(length);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail("malformed pickle (a string is not valid UTF-8)");
        }
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Fail("the pickle ends early (truncated)");
        string line = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return line;
    }

    private long ReadLong1()
    {
        int n = ReadByte();
        ReadOnlySpan<byte> bytes = Take(n);
        if (n == 0) return 0;
        if (n > 8) throw Fail($"integer of {n} bytes is too large");
        long value = (sbyte)bytes[n - 1]; // sign from the most significant byte
        for (int i = n - 2; i >= 0; i--) value = (value << 8) | bytes[i];
        return value;
    }

    /// <summary>A short description of a pickled value's type for messages.</summary>
    internal static string Describe(object? value) => value switch
    {
        null => "None",
        string => "str",
        long => "int",
        double => "float",
        bool => "bool",
        object?[] => "tuple",
        List<object?> => "list",
        PickleDict => "dict",
        PickleGlobal g => $"global '{g}'",
        TorchStorage => "storage",
        TorchTensorView => "tensor",
        _ => value.GetType().Name,
    };
}
