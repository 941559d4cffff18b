using System.Text.Json;
using System.Text.Json.Nodes;
using WbcNca.IO;

namespace WbcNca.Runs;

/// <summary>
/// The JSON files a run keeps in its folders (the grid's and the sharded prediction's plans, an entry's status):
/// written indented and atomically, read back with one line naming the file for anything that is not what it should be.
/// </summary>
internal static class RunJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="value"/> to <paramref name="path"/> (indented, a final newline, atomic).</summary>
    public static void Write(string path, JsonNode value) => AtomicFile.WriteAllText(path, value.ToJsonString(Indented) + "\n");

    /// <summary>
    /// <paramref name="parse"/> of the file at <paramref name="path"/>, or null when there is no such file.
    /// </summary>
    /// <exception cref="WbcNcaException">The file cannot be read, or is not <paramref name="what"/> (e.g. "an experiment plan").</exception>
    public static T? TryRead<T>(string path, string what, Func<JsonElement, T> parse) where T : class
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return parse(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw WbcNcaException.ForFile(path, $"not {what} ({(e is JsonException j ? JsonProblem.Describe(j) : e.Message.TrimEnd('.'))})");
        }
        catch (IOException e)
        {
            throw WbcNcaException.ForFile(path, $"cannot read: {e.Message}");
        }
    }
}
