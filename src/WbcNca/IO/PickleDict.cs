namespace WbcNca.IO;

/// <summary>A Python dict (or OrderedDict) read from a pickle, keeping the order in which items were set.</summary>
internal sealed class PickleDict
{
    private readonly Dictionary<object, int> _index = [];
    private readonly List<KeyValuePair<object, object?>> _items = [];

    /// <summary>The items in insertion order (a key set again keeps its first position, as in Python).</summary>
    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    public void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out int i)) _items[i] = new(key, value);
        else
        {
            _index[key] = _items.Count;
            _items.Add(new(key, value));
        }
    }
}
