using System.Security.Cryptography;

namespace WbcNca.Data;

/// <summary>
/// Finds byte-identical images so that a split keeps them together: items that share a key (the SHA-1 of the file's
/// content, or the original file's SHA-1 listed in a manifest) form one group, also through chains of shared keys.
/// Nothing is cached on disk.
/// </summary>
public static class DuplicateGroups
{
    /// <summary>
    /// Lower-case hex SHA-1 of each item's file content, in item order (files hashed in parallel by
    /// <see cref="Runtime.TorchRuntime.Threads"/> threads).
    /// </summary>
    /// <exception cref="WbcNcaException">A file cannot be read (the first such file in item order is named).</exception>
    public static string[] ContentSha1(IReadOnlyList<LabeledImage> items)
    {
        var hashes = new string[items.Count];
        var errors = new string?[items.Count];
        Parallel.For(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = Runtime.TorchRuntime.Threads }, i =>
        {
            string path = items[i].Path;
            try
            {
                using FileStream stream = File.OpenRead(path);
                hashes[i] = Convert.ToHexStringLower(SHA1.HashData(stream));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors[i] = $"{path}: cannot be read: {e.Message.ReplaceLineEndings(" ")}";
            }
        });
        // Thrown here, not from the loop, which would wrap it in an AggregateException.
        if (errors.FirstOrDefault(e => e is not null) is { } first) throw new WbcNcaException(first);
        return hashes;
    }

    /// <summary>
    /// Group id per item from one or more key lists (each in item order; a null key joins nothing). Items that share
    /// a key in any list are in one group. A group's id is the smallest index of its items, so a singleton's id is its
    /// own index.
    /// </summary>
    /// <exception cref="ArgumentException">A key list's length differs from the others'.</exception>
    public static int[] FromKeys(params IReadOnlyList<string?>[] keyLists)
    {
        if (keyLists.Length == 0) throw new ArgumentException("at least one key list is needed", nameof(keyLists));
        int n = keyLists[0].Count;
        var parent = Enumerable.Range(0, n).ToArray();
        int Find(int i)
        {
            while (parent[i] != i) i = parent[i] = parent[parent[i]];
            return i;
        }
        foreach (IReadOnlyList<string?> keys in keyLists)
        {
            if (keys.Count != n) throw new ArgumentException($"key lists differ in length ({keys.Count} and {n})", nameof(keyLists));
            var first = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < n; i++)
            {
                if (keys[i] is not { } key) continue;
                if (!first.TryAdd(key, i))
                {
                    int a = Find(first[key]), b = Find(i);
                    if (a != b) parent[Math.Max(a, b)] = Math.Min(a, b);
                }
            }
        }
        var ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = Find(i);
        return ids;
    }

    /// <summary>
    /// The original SHA-1 of each item from a <c>manifest.csv</c> with columns <c>path</c> (relative to the manifest's
    /// folder, '/' separators) and <c>original_sha1</c>; null for items it does not list.
    /// </summary>
    /// <exception cref="WbcNcaException">The manifest cannot be read, lacks those columns, or has a malformed row.</exception>
    public static string?[] ManifestSha1(IReadOnlyList<LabeledImage> items, string manifestPath)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var byPath = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var reader = new StreamReader(manifestPath);
            string[] header = (reader.ReadLine() ?? "").Split(',');
            int pathCol = Array.IndexOf(header, "path"), shaCol = Array.IndexOf(header, "original_sha1");
            if (pathCol < 0 || shaCol < 0) throw WbcNcaException.ForFile(manifestPath, "manifest lacks the columns path and original_sha1");
            int lineNo = 1;
            while (reader.ReadLine() is { } line)
            {
                lineNo++;
                if (line.Length == 0) continue;
                string[] fields = line.Split(',');
                if (fields.Length != header.Length)
                    throw WbcNcaException.ForFile(manifestPath, $"line {lineNo} has {fields.Length} fields, the header {header.Length}");
                byPath[fields[pathCol]] = fields[shaCol].ToLowerInvariant();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WbcNcaException.ForFile(manifestPath, $"cannot be read: {e.Message}");
        }
        var result = new string?[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            string rel = Path.GetRelativePath(folder, items[i].Path).Replace('\\', '/');
            result[i] = byPath.GetValueOrDefault(rel);
        }
        return result;
    }

    /// <summary>
    /// The <c>manifest.csv</c> in the data set's root or its parent folder that lists the data set's first item, or
    /// null when there is none.
    /// </summary>
    public static string? FindManifest(Dataset dataset)
    {
        if (dataset.Items.Count == 0) return null;
        string first = dataset.Items[0].Path;
        foreach (string? folder in new[] { dataset.Root, Path.GetDirectoryName(dataset.Root) })
        {
            if (folder is null) continue;
            string candidate = Path.Combine(folder, "manifest.csv");
            if (!File.Exists(candidate)) continue;
            string rel = Path.GetRelativePath(folder, first).Replace('\\', '/');
            try
            {
                if (File.ReadLines(candidate).Any(l => l.StartsWith(rel + ",", StringComparison.Ordinal))) return candidate;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // An unreadable file next to the data set is not its manifest.
            }
        }
        return null;
    }

    /// <summary>
    /// Group id per item of a data set (see <see cref="FromKeys"/>): by content SHA-1, joined with the original SHA-1s of
    /// a manifest found by <see cref="FindManifest"/> when there is one (so duplicates of the original files stay
    /// together even when re-encoding made their copies differ).
    /// </summary>
    public static int[] ForDataset(Dataset dataset) => For(dataset, dataset.Items);

    /// <summary>
    /// Group id per item of <paramref name="items"/> (some of <paramref name="dataset"/>'s items, e.g. the readable ones):
    /// by content SHA-1, joined with the original SHA-1s of the data set's manifest when there is one. Training and the
    /// held-out fold use this, so a split keeps re-encoded copies of one original together too.
    /// </summary>
    public static int[] For(Dataset dataset, IReadOnlyList<LabeledImage> items)
    {
        string[] content = ContentSha1(items);
        string? manifest = FindManifest(dataset);
        return manifest is null ? FromKeys(content) : FromKeys(content, ManifestSha1(items, manifest));
    }
}
