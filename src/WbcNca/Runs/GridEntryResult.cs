using System.Text.Json;
using WbcNca.Evaluation;
using WbcNca.IO;

namespace WbcNca.Runs;

/// <summary>
/// A finished grid entry's figures, in its folder's <c>evaluation.json</c>: its best model on its held-out fold and on
/// each other evaluation set. The file is written last, so its presence means the entry is done.
/// </summary>
/// <param name="HeldOut">The figures on the held-out fold of its training set.</param>
/// <param name="Others">The figures on each other set, by its name ("SET (NORMALISATION)"), in the grid's order.</param>
public sealed record GridEntryResult(ExperimentScore HeldOut, IReadOnlyList<(string Set, ExperimentScore Score)> Others)
{
    /// <summary>The file name in an entry's folder.</summary>
    public const string FileName = "evaluation.json";

    /// <summary>Writes it into <paramref name="folder"/> (atomically).</summary>
    public void Save(string folder)
    {
        var o = new Dictionary<string, object>
        {
            ["held_out"] = HeldOut.ToJsonObject(),
            ["others"] = Others.Select(x => new Dictionary<string, object> { ["set"] = x.Set }.Concat(x.Score.ToJsonObject()).ToDictionary()).ToArray(),
        };
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(o, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>The result in <paramref name="folder"/>, or null when the entry has none.</summary>
    /// <exception cref="WbcNcaException">The file is there but cannot be read.</exception>
    public static GridEntryResult? Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var o = doc.RootElement;
            return new GridEntryResult(ExperimentScore.FromJson(o.GetProperty("held_out")),
                o.GetProperty("others").EnumerateArray().Select(e => (e.GetProperty("set").GetString()!, ExperimentScore.FromJson(e))).ToArray());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw WbcNcaException.ForFile(path, $"not an entry's result ({(e is JsonException j ? JsonProblem.Describe(j) : e.Message.TrimEnd('.'))})");
        }
    }
}
