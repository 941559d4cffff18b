using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using WbcNca.Review;

namespace WbcNca.Web;

/// <summary>
/// The server's door, in front of every request but those of endpoints marked <see cref="Public"/> (the page, its
/// script and style, <c>/health</c>): a write (any method but GET, HEAD, OPTIONS) from another site's page is refused with 403; a token in
/// <c>Authorization: Bearer TOKEN</c> is looked up (by its SHA-256) in the review database at every request, so a
/// revoked token is refused at once; a missing, malformed, unknown or revoked token is 401 where tokens are required
/// (see <see cref="AccessOptions"/>). What a user's role allows is checked by the endpoints
/// (<see cref="RequireReviewer"/>). Tokens travel only in the header, never in a cookie, so a page of another site
/// cannot make the browser send one.
/// </summary>
public sealed class AccessControl
{
    private const string UserKey = "wbc-nca.user";
    private readonly ReviewDatabase? users;

    private AccessControl(bool tokensRequired, ReviewDatabase? users)
    {
        TokensRequired = tokensRequired;
        this.users = users;
    }

    /// <summary>
    /// The metadata that marks an endpoint as public (<c>WithMetadata(AccessControl.Public)</c>): no token is asked
    /// for. Everything else is behind the door, whatever the spelling of its path (routes match without regard to case).
    /// </summary>
    public static object Public { get; } = new PublicEndpoint();

    /// <summary>True when every API request needs a valid token.</summary>
    public bool TokensRequired { get; }

    /// <summary>
    /// Decides whether tokens are required: the server listens beyond loopback (<paramref name="beyondLoopback"/>, the
    /// first such address, or null) or <see cref="AccessOptions.RequireTokens"/>, and not
    /// <see cref="AccessOptions.InsecureNoAuth"/>. Tokens live in the review database, so that requires one with at least
    /// one user whose token is valid.
    /// </summary>
    /// <exception cref="WbcNcaException">Tokens are required but there is no database, or no user in it with a valid token.</exception>
    public static AccessControl Create(AccessOptions options, string? beyondLoopback, ReviewDatabase? database)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        bool required = !options.InsecureNoAuth && (beyondLoopback is not null || options.RequireTokens);
        if (required)
        {
            string why = beyondLoopback is not null
                ? $"--urls {beyondLoopback} serves beyond this machine, so every client needs an access token"
                : "--require-auth asks every client for an access token";
            if (database is null)
                throw new WbcNcaException($"{why}, and tokens are kept in the review database: give --db PATH and add users with 'wbc-nca users add NAME --role reviewer --db PATH', or --insecure-no-auth to serve without tokens");
            if (!database.Users().Any(u => u.Active))
                throw WbcNcaException.ForFile(database.Path, $"has no user with a valid token, and {why}: add one with 'wbc-nca users add NAME --role reviewer --db {database.Path}'");
        }
        return new AccessControl(required, database);
    }

    /// <summary>The user the request's token belongs to, or null for a request without a token (on a server that does not require one).</summary>
    public static ReviewUser? User(HttpContext context) => context.Items.TryGetValue(UserKey, out object? u) ? u as ReviewUser : null;

    /// <summary>
    /// Refuses with 403 a request of a user whose role is <see cref="UserRole.Viewer"/>; <paramref name="what"/> says
    /// what they asked for ("confirming or correcting cells"). A request without a token (allowed only where tokens are
    /// not required) may do everything, as before tokens existed.
    /// </summary>
    public static void RequireReviewer(HttpContext context, string what)
    {
        if (User(context) is { Role: UserRole.Viewer } user)
            throw new ApiException(403, $"{user.Name} is a viewer: {what} needs the reviewer role (ask for a reviewer's token: 'wbc-nca users add NAME --role reviewer')");
    }

    /// <summary>The middleware: checks the request and passes it on.</summary>
    public Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        // Public: an endpoint marked so, outside /api (whose every path, even one that leads nowhere, is behind the door).
        if (context.GetEndpoint()?.Metadata.GetMetadata<PublicEndpoint>() is not null && !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
            return next();
        RefuseCrossSiteWrite(context.Request);
        ReviewUser? user = Authenticate(context.Request);
        if (user is not null) context.Items[UserKey] = user;
        return next();
    }

    private ReviewUser? Authenticate(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            if (TokensRequired) throw new ApiException(401, "this server needs an access token: send the header 'Authorization: Bearer TOKEN' (tokens are made with 'wbc-nca users add')");
            return null;
        }
        // Without a database there are no users; a server that keeps no records cannot require tokens (Create refuses).
        if (users is null) return null;
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || header.Length == Scheme.Length)
            throw new ApiException(401, "the Authorization header must be 'Bearer TOKEN'");
        string token = header[Scheme.Length..].Trim();
        ReviewUser user = users.UserByToken(AccessToken.Hash(token)) ?? throw new ApiException(401, "this access token is not known to the server");
        if (!user.Active) throw new ApiException(401, "this access token was revoked; ask for a new one");
        return user;
    }

    /// <summary>
    /// Refuses (403) a write that a browser made for a page of another site: <c>Sec-Fetch-Site</c> cross-site or
    /// same-site, or an <c>Origin</c> that is not this server's own (compared with the request's <c>Host</c>). Programs
    /// such as curl send neither header and are not affected.
    /// </summary>
    private static void RefuseCrossSiteWrite(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)) return;
        const string Refused = "cross-site request refused: this server takes requests that change or compute something only from its own page or from programs, not from another site's page";
        string? site = request.Headers["Sec-Fetch-Site"];
        if (site is "cross-site" or "same-site") throw new ApiException(403, Refused);
        string? origin = request.Headers[HeaderNames.Origin];
        if (string.IsNullOrEmpty(origin) || site == "same-origin") return;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out Uri? o) || !SameHost(o, request.Host)) throw new ApiException(403, Refused);
    }

    private static bool SameHost(Uri origin, HostString host)
    {
        if (!host.HasValue || !string.Equals(origin.Host.Trim('[', ']'), host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)) return false;
        // Behind a reverse proxy the Host may come without the port the browser used (the scheme's default).
        return host.Port is int port ? origin.Port == port : origin.IsDefaultPort;
    }

    private sealed class PublicEndpoint;
}
