namespace WbcNca.Review;

/// <summary>
/// A person who may use a served page, as the review database keeps them: a name, a role and the SHA-256 of their access
/// token (the token itself is shown once, when the user is added, and never stored). A user is revoked, never
/// deleted or changed: a revoked token is refused, and a new token (or role) is a new user row of the same name.
/// </summary>
/// <param name="Id">The user's number.</param>
/// <param name="Name">The name recorded with each review the user makes.</param>
/// <param name="Role">What the user may do.</param>
/// <param name="Created">When the user (the token) was added (UTC).</param>
/// <param name="Revoked">When the token was revoked (UTC), or null while it is valid.</param>
public sealed record ReviewUser(long Id, string Name, UserRole Role, DateTimeOffset Created, DateTimeOffset? Revoked)
{
    /// <summary>Longest user name (the same limit as a reviewer name sent by a client).</summary>
    public const int MaxNameLength = 120;

    /// <summary>True while the user's token is valid.</summary>
    public bool Active => Revoked is null;

    /// <summary>The role as written: <c>viewer</c> or <c>reviewer</c>.</summary>
    public static string RoleName(UserRole role) => role switch
    {
        UserRole.Viewer => "viewer",
        UserRole.Reviewer => "reviewer",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    /// <summary>The role named <paramref name="name"/> (<c>viewer</c> or <c>reviewer</c>, any case), or null.</summary>
    public static UserRole? ParseRole(string name) => name.Trim().ToLowerInvariant() switch
    {
        "viewer" => UserRole.Viewer,
        "reviewer" => UserRole.Reviewer,
        _ => null,
    };

    /// <summary>
    /// The name trimmed, checked: 1 to <see cref="MaxNameLength"/> characters without control characters.
    /// </summary>
    /// <exception cref="WbcNcaException">The name is empty, too long or holds a control character.</exception>
    public static string CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim();
        if (n.Length == 0) throw new WbcNcaException("the user name is empty");
        if (n.Length > MaxNameLength) throw new WbcNcaException($"the user name is longer than {MaxNameLength} characters");
        if (n.Any(char.IsControl)) throw new WbcNcaException("the user name must not contain control characters");
        return n;
    }

    /// <summary>The JSON object: user, role, created_at, revoked_at (null while valid).</summary>
    public Dictionary<string, object?> ToJsonObject() => new()
    {
        ["user"] = Name,
        ["role"] = RoleName(Role),
        ["created_at"] = ReviewDatabase.FormatTime(Created),
        ["revoked_at"] = Revoked is { } r ? ReviewDatabase.FormatTime(r) : null,
    };
}
