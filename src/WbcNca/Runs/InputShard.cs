using System.Globalization;
using System.Text;

namespace WbcNca.Runs;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> of a list of input files (<c>predict --shard I/N</c>): a file
/// belongs to the shard that a hash (64-bit FNV-1a) of its absolute path names. Which shard a file is in therefore
/// depends only on its path, not on the order the files were listed or found in, nor on which other files there are:
/// N processes given the same inputs take disjoint parts that together are the whole list.
/// </summary>
/// <param name="Index">This shard, 0 … <paramref name="Count"/> − 1.</param>
/// <param name="Count">Shards in all.</param>
public sealed record InputShard(int Index, int Count)
{
    /// <summary>Parses "I/N" (0 ≤ I &lt; N).</summary>
    /// <exception cref="WbcNcaException">Not of that form.</exception>
    public static InputShard Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index < count)
            return new InputShard(index, count);
        throw new WbcNcaException($"--shard: expected I/N with 0 ≤ I < N, e.g. 0/8 (got '{text}')");
    }

    /// <summary>The shard (0 … <paramref name="count"/> − 1) that <paramref name="path"/> belongs to.</summary>
    public static int Of(string path, int count)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(Path.GetFullPath(path)))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return (int)(hash % (ulong)count);
    }

    /// <summary>True when <paramref name="path"/> belongs to this shard.</summary>
    public bool Contains(string path) => Of(path, Count) == Index;

    /// <summary>The files of <paramref name="files"/> in this shard, in their order.</summary>
    public List<string> Select(IEnumerable<string> files) => files.Where(Contains).ToList();

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
