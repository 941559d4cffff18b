namespace WbcNca.Imaging;

/// <summary>
/// One stained nucleus (its lobes merged) found by <see cref="CellLocator"/>, in pixels of the original image.
/// </summary>
/// <param name="X">Left edge of the nucleus's bounding box.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Bounding-box width.</param>
/// <param name="Height">Bounding-box height.</param>
/// <param name="Area">Nucleus area in pixels of the original image.</param>
/// <param name="Score">The locator's ranking score (area weighted by closeness to the image centre).</param>
public sealed record CellCandidate(double X, double Y, double Width, double Height, double Area, double Score)
{
    /// <summary>Centre of the bounding box, x.</summary>
    public double CenterX => X + Width / 2;

    /// <summary>Centre of the bounding box, y.</summary>
    public double CenterY => Y + Height / 2;

    /// <summary>The larger side of the bounding box: the nucleus extent.</summary>
    public double Extent => Math.Max(Width, Height);
}
