namespace WbcNca.Review;

/// <summary>
/// Which stored samples a list shows: those whose name contains <paramref name="NameContains"/> (case-insensitive for
/// ASCII letters; null: all), newest or oldest first, skipping <paramref name="Offset"/> and at most
/// <paramref name="Limit"/> of them (null: all). A lab keeps thousands of samples; the page asks for one page at a time.
/// </summary>
public sealed record SampleQuery(string? NameContains = null, bool NewestFirst = false, int Offset = 0, int? Limit = null)
{
    /// <summary>Largest page a query may ask for.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Every sample, oldest first.</summary>
    public static SampleQuery All { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the field when a value is out of range.</summary>
    public SampleQuery Validate()
    {
        if (Offset < 0) throw new ArgumentException($"offset must be ≥ 0 (got {Offset})");
        if (Limit is int l && (l < 1 || l > MaxLimit)) throw new ArgumentException($"limit must be in 1..{MaxLimit} (got {l})");
        return this;
    }
}

/// <summary>One page of samples and how many match the query in all.</summary>
/// <param name="Samples">The page, in the query's order.</param>
/// <param name="Total">Samples matching the query, on every page.</param>
public sealed record SamplePage(IReadOnlyList<SampleSummary> Samples, int Total);
