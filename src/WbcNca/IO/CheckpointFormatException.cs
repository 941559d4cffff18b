namespace WbcNca.IO;

/// <summary>
/// A checkpoint file (PyTorch state dict or safetensors) that cannot be read: not the expected format,
/// truncated, corrupt, or holding something other than plain tensors. The message is one line,
/// "PATH: problem".
/// </summary>
public sealed class CheckpointFormatException : WbcNcaException
{
    /// <summary>Creates the error "<paramref name="path"/>: <paramref name="problem"/>".</summary>
    public CheckpointFormatException(string path, string problem) : base(Format(path, problem)) => FilePath = path;

    /// <summary>Creates the error "<paramref name="path"/>: <paramref name="problem"/>" with its cause.</summary>
    public CheckpointFormatException(string path, string problem, Exception inner) : base(Format(path, problem), inner) => FilePath = path;

    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; }

    private static string Format(string path, string problem) =>
        $"{path}: {problem.ReplaceLineEndings(" ")}";
}
