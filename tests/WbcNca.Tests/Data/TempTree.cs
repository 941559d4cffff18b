namespace WbcNca.Tests.Data;

/// <summary>A temporary folder tree for reader and split tests; deleted on dispose.</summary>
public sealed class TempTree : IDisposable
{
    public TempTree() => Directory.CreateDirectory(Root = Path.Combine(Path.GetTempPath(), "wbcnca-data-" + Guid.NewGuid().ToString("N")));

    public string Root { get; }

    /// <summary>Creates a file (and its folders) below the root; empty unless content is given.</summary>
    public string File(string relative, string content = "")
    {
        string path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Creates an empty folder below the root.</summary>
    public string Folder(string relative) => Directory.CreateDirectory(Path.Combine(Root, relative)).FullName;

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
