namespace WbcNca.Cli;

/// <summary>A command line that cannot run as given (exit code <see cref="CliRunner.UsageError"/>): one line, no help dump.</summary>
public sealed class UsageException : WbcNcaException
{
    /// <summary>Creates the error with a one-line message.</summary>
    public UsageException(string message) : base(message) { }
}
