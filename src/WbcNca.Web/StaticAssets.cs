using System.Reflection;

namespace WbcNca.Web;

/// <summary>The page's files (HTML, CSS, JavaScript), embedded in this assembly: the page needs nothing from elsewhere.</summary>
public static class StaticAssets
{
    private static readonly Dictionary<string, (string ContentType, byte[] Content)> Files = Load();

    /// <summary>URL paths served (e.g. <c>/app.js</c>); <c>/</c> is <c>/index.html</c>.</summary>
    public static IEnumerable<string> Paths => Files.Keys;

    /// <summary>Looks up an embedded file by URL path.</summary>
    public static bool TryGet(string path, out string contentType, out byte[] content)
    {
        if (Files.TryGetValue(path == "/" ? "/index.html" : path, out var f))
        {
            (contentType, content) = f;
            return true;
        }
        (contentType, content) = ("", []);
        return false;
    }

    private static Dictionary<string, (string, byte[])> Load()
    {
        var assembly = typeof(StaticAssets).Assembly;
        var files = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)))
        {
            using Stream s = assembly.GetManifestResourceStream(name)!;
            using var m = new MemoryStream();
            s.CopyTo(m);
            string type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                ".png" => "image/png",
                _ => "application/octet-stream",
            };
            files["/" + name["wwwroot/".Length..]] = (type, m.ToArray());
        }
        return files;
    }
}
