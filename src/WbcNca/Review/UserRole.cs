namespace WbcNca.Review;

/// <summary>
/// What a user of a served page may do: a <see cref="Viewer"/> classifies and explains images and reads the samples,
/// cells, counts and histories; a <see cref="Reviewer"/> also stores cells, confirms and corrects them and exports the
/// records. Stored and written as <c>viewer</c> and <c>reviewer</c>.
/// </summary>
public enum UserRole
{
    /// <summary>Reads and classifies; changes nothing in the records.</summary>
    Viewer,

    /// <summary>Also stores cells, confirms and corrects them and exports the records.</summary>
    Reviewer,
}
