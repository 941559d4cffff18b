namespace WbcNca.Data;

/// <summary>One labelled image file of a data set.</summary>
/// <param name="Path">Full path of the file (as listed; a symbolic link is not resolved).</param>
/// <param name="RelativePath">Path relative to the data set's root, with '/' separators (e.g. <c>ig/PMY_123.jpg</c>).</param>
/// <param name="Label">Class index at <paramref name="Level"/> (see <see cref="CellClasses"/>).</param>
/// <param name="Level">Level of <paramref name="Label"/>.</param>
/// <param name="SourceClass">The class as the source names it: the folder, or folder and file prefix (e.g. <c>BAS</c>, <c>ig/PMY_</c>, <c>09-BASO</c>).</param>
public sealed record LabeledImage(string Path, string RelativePath, int Label, LabelLevel Level, string SourceClass)
{
    /// <summary>Name of the class (<see cref="CellClasses.Name"/> of <see cref="Label"/> at <see cref="Level"/>).</summary>
    public string LabelName => CellClasses.Name(Label, Level);
}
