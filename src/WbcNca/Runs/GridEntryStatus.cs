using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using WbcNca.IO;

namespace WbcNca.Runs;

/// <summary>
/// What the last task of a grid entry said about itself, in the entry's <c>task.json</c>: its state, the log it wrote
/// to, the Slurm job and host, when it started and ended, and the error that ended it.
/// </summary>
/// <param name="State">Running, stopped, failed or done.</param>
/// <param name="Log">Its log file (null: the console).</param>
/// <param name="Job">The Slurm job (ARRAYJOB_TASK), null outside Slurm.</param>
/// <param name="Host">The machine it ran on.</param>
/// <param name="Started">When it started (UTC, ISO 8601).</param>
/// <param name="Ended">When it ended (null while running).</param>
/// <param name="Error">The one-line error of a failed entry.</param>
public sealed record GridEntryStatus(GridEntryState State, string? Log, string? Job, string Host, string Started, string? Ended = null, string? Error = null)
{
    /// <summary>The file name in an entry's folder.</summary>
    public const string FileName = "task.json";

    /// <summary>A status "running since now" on this machine.</summary>
    public static GridEntryStatus Start(string? log, string? job) =>
        new(GridEntryState.Running, log, job, Environment.MachineName, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>This status ended now in <paramref name="state"/> (with <paramref name="error"/> for a failure).</summary>
    public GridEntryStatus End(GridEntryState state, string? error = null) =>
        this with { State = state, Ended = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture), Error = error };

    /// <summary>Writes it into <paramref name="folder"/> (atomically).</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var o = new JsonObject
        {
            ["state"] = State.ToString().ToLowerInvariant(),
            ["log"] = Log,
            ["job"] = Job,
            ["host"] = Host,
            ["started"] = Started,
            ["ended"] = Ended,
            ["error"] = Error,
        };
        RunJson.Write(Path.Combine(folder, FileName), o);
    }

    /// <summary>The status in <paramref name="folder"/>, or null when there is none or it cannot be read.</summary>
    public static GridEntryStatus? Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var o = doc.RootElement;
            string? Text(string key) => o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (!Enum.TryParse(Text("state"), ignoreCase: true, out GridEntryState state)) return null;
            return new GridEntryStatus(state, Text("log"), Text("job"), Text("host") ?? "", Text("started") ?? "", Text("ended"), Text("error"));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }
}
