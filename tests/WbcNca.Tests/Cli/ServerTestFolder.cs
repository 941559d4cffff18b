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

    /// <inheritdoc/>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
