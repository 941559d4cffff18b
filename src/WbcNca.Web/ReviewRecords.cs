using WbcNca.Review;

namespace WbcNca.Web;

/// <summary>
/// What a server that keeps records (<c>serve --db</c>) needs: the database, the identity of the model it serves (stored
/// with every answer) and a clock for the times it stores.
/// </summary>
/// <param name="Database">The review database.</param>
/// <param name="Model">The served model's file name and content hash.</param>
/// <param name="Clock">Where the stored times come from (the system clock unless a test sets one).</param>
public sealed record ReviewRecords(ReviewDatabase Database, ModelIdentity Model, TimeProvider? Clock = null)
{
    /// <summary>The time to store now.</summary>
    public DateTimeOffset Now => (Clock ?? TimeProvider.System).GetUtcNow();
}
