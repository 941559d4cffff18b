namespace WbcNca.Review;

/// <summary>
/// What a person can say a cell is: one of its model's classes, or <see cref="NotACell"/> (debris, a platelet, an
/// empty field). Names are matched case-insensitively, with ' ' or '-' accepted for '_'.
/// </summary>
public static class ReviewLabel
{
    /// <summary>The label of an image that shows no white cell.</summary>
    public const string NotACell = "not_a_cell";

    /// <summary>The label as stored (the class's own spelling, or <see cref="NotACell"/>), or null when it names none of them.</summary>
    public static string? Resolve(IReadOnlyList<string> classes, string name)
    {
        string n = name.Trim().Replace(' ', '_').Replace('-', '_');
        if (n.Equals(NotACell, StringComparison.OrdinalIgnoreCase)) return NotACell;
        foreach (string c in classes)
            if (c.Equals(n, StringComparison.OrdinalIgnoreCase)) return c;
        return null;
    }

    /// <summary>Every label a cell of a model with these classes can get: its classes, then <see cref="NotACell"/>.</summary>
    public static IReadOnlyList<string> All(IReadOnlyList<string> classes) => [.. classes, NotACell];
}
