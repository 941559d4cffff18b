namespace WbcNca.Web;

/// <summary>A request the server refuses: becomes a JSON error <c>{"error": …, "status": …, "file": …}</c> with that HTTP status.</summary>
public sealed class ApiException : Exception
{
    /// <summary>Creates the error.</summary>
    public ApiException(int status, string message, string? file = null) : base(message)
    {
        Status = status;
        File = file;
    }

    /// <summary>HTTP status code (400, 413, 415, 501, 503, …).</summary>
    public int Status { get; }

    /// <summary>The uploaded file the error is about, when there is one.</summary>
    public string? File { get; }
}
