namespace WbcNca.Review;

/// <summary>
/// A review the database does not store: no such cell (<see cref="NotFound"/>), or a label that is none of the cell's
/// model's classes nor <see cref="ReviewLabel.NotACell"/>. Nothing was written.
/// </summary>
public sealed class ReviewRefusedException : WbcNcaException
{
    /// <summary>Creates the refusal.</summary>
    public ReviewRefusedException(string message, bool notFound) : base(message) => NotFound = notFound;

    /// <summary>True when the cell (or sample) does not exist; false when the request names a label that cannot be.</summary>
    public bool NotFound { get; }
}
