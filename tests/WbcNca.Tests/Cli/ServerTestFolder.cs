using System.Diagnostics;
using Microsoft.Data.Sqlite;
using WbcNca.Checkpoints;
using WbcNca.Tests.Export;
using WbcNca.Tests.Web;

namespace WbcNca.Tests.Cli;

/// <summary>
/// A temporary folder for tests that run the program as a server or over a review database: a small random model
/// file on request, and on disposal the SQLite connection pools closed before the folder is deleted.
/// </summary>
public sealed class ServerTestFolder(string prefix) : IDisposable
{
    /// <summary>The folder.</summary>
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Saves a small random model as m.safetensors in the folder and returns its path.</summary>
    public string SaveModel()
    {
        string model = System.IO.Path.Combine(Path, "m.safetensors");
        ModelFile.Save(OnnxExportTests.RandomBundle(WebTestHost.Small, 6), model);
        return model;
    }

    /// <summary>Starts <c>wbc-nca serve …</c> as a process and waits for its "serving" line: the process, its address, the line and its standard error to come.</summary>
    public static async Task<(Process Process, string Url, string Line, Task<string> Stderr)> StartServe(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = System.IO.Path.GetTempPath(),
        };
        info.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "wbc-nca.dll"));
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["GLIBC_TUNABLES"] = WbcNca.Runtime.NativeAllocator.GlibcTunables;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null)
            if (line.StartsWith("wbc-nca: serving", StringComparison.Ordinal))
                return (process, line.Split(" on ")[1].Split(' ')[0], line, stderr);
        throw new InvalidOperationException($"serve did not start: {await stderr}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
