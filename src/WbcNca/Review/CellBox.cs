using WbcNca.Imaging;

namespace WbcNca.Review;

/// <summary>A rectangle in pixels of an uploaded image: a nucleus's box, or the square frame the model saw (which may extend past the image).</summary>
/// <param name="X">Left edge (may be negative for a frame).</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
public sealed record CellBox(int X, int Y, int Width, int Height)
{
    /// <summary>The box of the located nucleus, rounded as the API's <c>box</c> is; null when no cell was found.</summary>
    public static CellBox? Nucleus(CellLocation? location) => location is { CellFound: true, Cell: { } n }
        ? new CellBox((int)Math.Round(n.X), (int)Math.Round(n.Y), (int)Math.Round(n.Width), (int)Math.Round(n.Height))
        : null;

    /// <summary>The square frame around the located cell, as the API's <c>frame</c>; null when no cell was found.</summary>
    public static CellBox? Frame(CellLocation? location) => location is { CellFound: true }
        ? new CellBox(location.Left, location.Top, location.SidePixels, location.SidePixels)
        : null;

    /// <summary>The JSON object of a box: x, y, width, height.</summary>
    public Dictionary<string, object> ToJsonObject() => new() { ["x"] = X, ["y"] = Y, ["width"] = Width, ["height"] = Height };
}
