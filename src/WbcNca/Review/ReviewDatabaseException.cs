namespace WbcNca.Review;

/// <summary>The review database could not be read or written (not a database, damaged, disk full, read-only, locked).</summary>
public sealed class ReviewDatabaseException : WbcNcaException
{
    /// <summary>Creates the error "<paramref name="path"/>: <paramref name="problem"/>".</summary>
    public ReviewDatabaseException(string path, string problem, bool busy, Exception inner) : base($"{path}: {problem}", inner)
    {
        Problem = problem;
        Busy = busy;
    }

    /// <summary>The problem without the file's path (for answers to web clients, which are not shown the server's paths).</summary>
    public string Problem { get; }

    /// <summary>True when another writer held the database too long; trying again later can succeed.</summary>
    public bool Busy { get; }
}
