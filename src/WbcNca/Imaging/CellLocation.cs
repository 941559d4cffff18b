namespace WbcNca.Imaging;

/// <summary>
/// Where <see cref="CellLocator"/> found the white cell of an image, and the square it frames. All coordinates are in
/// pixels of the original image (x to the right, y down). When no cell was found (<see cref="CellFound"/> false) the
/// frame is the whole image's bounding square, centred.
/// </summary>
/// <param name="CellFound">True when a stained nucleus was found.</param>
/// <param name="Candidates">Every nucleus found (lobes merged), best first by the locator's score; empty when none.</param>
/// <param name="Chosen">Index into <paramref name="Candidates"/> of the framed one (−1 when none).</param>
/// <param name="CenterX">Frame centre, x.</param>
/// <param name="CenterY">Frame centre, y.</param>
/// <param name="Side">Side of the square frame (may extend past the image: filled with the background colour there).</param>
/// <param name="Scale">How the side was set: <c>red_cells</c>, <c>nucleus</c> or <c>whole</c>.</param>
/// <param name="RedCellDiameter">Median diameter of the isolated red cells measured in the image (NaN when too few).</param>
/// <param name="RedCellCount">Isolated red cells measured.</param>
/// <param name="Background">Background colour (RGB in [0, 1]).</param>
/// <param name="Nucleus">Mean colour of the framed nucleus (RGB in [0, 1]; the background's when none was found).</param>
/// <param name="RedCell">
/// Mean colour of the red cells' stained pixels (RGB in [0, 1]): stained blobs other than the white cell, whole or cut
/// by the border; null when too few are visible or no nucleus was found.
/// </param>
public sealed record CellLocation(
    bool CellFound,
    IReadOnlyList<CellCandidate> Candidates,
    int Chosen,
    double CenterX,
    double CenterY,
    double Side,
    string Scale,
    double RedCellDiameter,
    int RedCellCount,
    IReadOnlyList<float> Background,
    IReadOnlyList<float> Nucleus,
    IReadOnlyList<float>? RedCell = null)
{
    /// <summary>The framed candidate, or null.</summary>
    public CellCandidate? Cell => Chosen >= 0 ? Candidates[Chosen] : null;

    /// <summary>Left edge of the frame (may be negative).</summary>
    public int Left => (int)Math.Round(CenterX - Side / 2);

    /// <summary>Top edge of the frame (may be negative).</summary>
    public int Top => (int)Math.Round(CenterY - Side / 2);

    /// <summary>The frame's side in whole pixels (at least 1).</summary>
    public int SidePixels => Math.Max(1, (int)Math.Round(Side));
}
