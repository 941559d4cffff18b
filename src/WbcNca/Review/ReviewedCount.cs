using WbcNca.Inference;

namespace WbcNca.Review;

/// <summary>A sample's differential count that follows the reviews: a reviewed cell counts under its current label.</summary>
public static class ReviewedCount
{
    /// <summary>
    /// The count of <paramref name="cells"/> (one sample): each cell where <see cref="StoredCell.CountedAs"/> puts it.
    /// The class list is the models' classes in order of first appearance (one model's classes in the usual case).
    /// </summary>
    public static DifferentialCount Of(string sample, IReadOnlyList<StoredCell> cells)
    {
        var classes = new List<string>();
        foreach (StoredCell c in cells)
            foreach (string name in c.Classes)
                if (!classes.Contains(name)) classes.Add(name);
        var counts = new int[classes.Count];
        int review = 0, notACell = 0;
        foreach (StoredCell c in cells)
        {
            string at = c.CountedAs;
            if (at == ReviewLabel.NotACell) notACell++;
            else if (c.Latest is null && c.Status == "review") review++;
            else counts[classes.IndexOf(at)]++;
        }
        return new DifferentialCount(sample, classes, counts, review, notACell);
    }
}
