namespace WbcNca;

/// <summary>
/// Base of every error caused by the user's input (a bad image, dataset, checkpoint or option).
/// Its message is one line that names the file (when there is one) and the problem; the CLI prints
/// it as it is and exits with a non-zero code.
/// </summary>
public class WbcNcaException : Exception
{
    /// <summary>Creates the error with a one-line message.</summary>
    public WbcNcaException(string message) : base(message) { }

    /// <summary>Creates the error with a one-line message and its cause.</summary>
    public WbcNcaException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the error "<paramref name="path"/>: <paramref name="problem"/>".</summary>
    public static WbcNcaException ForFile(string path, string problem) => new($"{path}: {problem}");
}
