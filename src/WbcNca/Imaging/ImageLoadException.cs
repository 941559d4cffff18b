namespace WbcNca.Imaging;

/// <summary>
/// An image file that cannot be read: missing, empty, truncated, corrupt, of an unknown format, or
/// too large. Its message is one line, "<c>PATH: problem</c>".
/// </summary>
public sealed class ImageLoadException : WbcNcaException
{
    /// <summary>Creates the error "<paramref name="path"/>: <paramref name="problem"/>".</summary>
    public ImageLoadException(string path, string problem)
        : base($"{path}: {OneLine(problem)}")
    {
        Path = path;
        Problem = OneLine(problem);
    }

    /// <summary>Creates the error "<paramref name="path"/>: <paramref name="problem"/>" with its cause.</summary>
    public ImageLoadException(string path, string problem, Exception inner)
        : base($"{path}: {OneLine(problem)}", inner)
    {
        Path = path;
        Problem = OneLine(problem);
    }

    /// <summary>The file (or source name) that could not be read.</summary>
    public string Path { get; }

    /// <summary>The problem, without the path.</summary>
    public string Problem { get; }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
