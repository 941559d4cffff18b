namespace WbcNca.Review;

/// <summary>What <see cref="ReviewExport.WriteFolder"/> wrote.</summary>
/// <param name="Folder">The folder, as it was given.</param>
/// <param name="PerClass">Images written per class folder.</param>
/// <param name="NotACell">Reviewed cells labelled not a cell (left out).</param>
/// <param name="Unreviewed">Cells nobody reviewed (left out).</param>
public sealed record FolderExport(string Folder, IReadOnlyDictionary<string, int> PerClass, int NotACell, int Unreviewed)
{
    /// <summary>Images written.</summary>
    public int Written => PerClass.Values.Sum();
}
