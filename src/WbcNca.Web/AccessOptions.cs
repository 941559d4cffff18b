namespace WbcNca.Web;

/// <summary>
/// Who may use the server. Served only on loopback (127.0.0.1, ::1, localhost) without <paramref name="RequireTokens"/>,
/// a request without a token is answered as before (one person at one desk). Served on any other address (0.0.0.0,
/// [::], *, a network address, a name, a Unix socket) or with <paramref name="RequireTokens"/>, every API request needs
/// <c>Authorization: Bearer TOKEN</c> of a user in the review database, unless <paramref name="InsecureNoAuth"/>. A
/// request that carries a token is always checked, and its user's role applies.
/// </summary>
/// <param name="RequireTokens">Ask for tokens on loopback too (<c>serve --require-auth</c>), e.g. behind a reverse proxy
/// on the same machine, which reaches the server over loopback on behalf of the network.</param>
/// <param name="InsecureNoAuth">Serve beyond loopback without tokens (<c>serve --insecure-no-auth</c>): anyone who
/// reaches the port may read and change the records.</param>
/// <param name="RateLimitPerMinute">Requests to <c>/api/predict</c> and <c>/api/explain</c> per minute per token (per
/// client address for requests without one), at most that many at once; 0 turns the limit off. More: 429.</param>
public sealed record AccessOptions(bool RequireTokens = false, bool InsecureNoAuth = false, int RateLimitPerMinute = AccessOptions.DefaultRateLimit)
{
    /// <summary>The inference requests per minute per token that <c>serve</c> allows unless told otherwise.</summary>
    public const int DefaultRateLimit = 60;

    /// <summary>Throws <see cref="WbcNcaException"/> with a one-line reason when the options contradict each other or a value is out of range.</summary>
    public AccessOptions Validate()
    {
        if (RequireTokens && InsecureNoAuth) throw new WbcNcaException("--require-auth and --insecure-no-auth contradict each other; give one of them");
        if (RateLimitPerMinute < 0) throw new WbcNcaException($"--rate-limit must be ≥ 0 (0 turns it off; got {RateLimitPerMinute})");
        return this;
    }
}
