namespace WbcNca.Imaging;

/// <summary>
/// The one path from an image to the model's input: frame the cell (<see cref="Preprocessing"/>: the whole image, or a
/// square around the cell <see cref="CellLocator"/> finds), resize to <see cref="Size"/>×<see cref="Size"/> with
/// PIL-compatible bicubic resampling (on the 8-bit pixels, skipped when the view already has that size; the aspect
/// ratio is not kept), scale to [0, 1] (byte / 255), map the colours (<see cref="ColorMode"/>), and normalise with
/// <see cref="Normalization"/>. With the default preprocessing this is exactly the paper's reference code. The result
/// is planar float data of length 3·Size·Size (layout C×H×W), ready to become a tensor of shape (3, Size, Size).
/// </summary>
public sealed class ImagePreprocessor
{
    /// <summary>Creates a preprocessor for square model inputs of side <paramref name="size"/>.</summary>
    public ImagePreprocessor(int size, Normalization normalization, ImageDecoderOptions? decoderOptions = null, Preprocessing? preprocessing = null)
    {
        Preprocessing = (preprocessing ?? Preprocessing.Default).Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentNullException.ThrowIfNull(normalization);
        Size = size;
        Normalization = normalization;
        DecoderOptions = decoderOptions ?? ImageDecoderOptions.Default;
    }

    /// <summary>Side of the square model input in pixels.</summary>
    public int Size { get; }

    /// <summary>How the [0, 1] values are normalised.</summary>
    public Normalization Normalization { get; }

    /// <summary>Framing and colour mapping.</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>Limits used when decoding files.</summary>
    public ImageDecoderOptions DecoderOptions { get; }

    /// <summary>Number of floats one preprocessed image takes: 3·Size·Size.</summary>
    public int OutputLength => 3 * Size * Size;

    /// <summary>Decodes, resizes and normalises the image file at <paramref name="path"/>.</summary>
    /// <exception cref="ImageLoadException">The file cannot be read or decoded.</exception>
    public float[] Process(string path)
    {
        var result = new float[OutputLength];
        Process(path, result);
        return result;
    }

    /// <summary>Decodes, resizes and normalises the image file at <paramref name="path"/> into <paramref name="destination"/> (length <see cref="OutputLength"/>).</summary>
    /// <exception cref="ImageLoadException">The file cannot be read or decoded.</exception>
    public CellLocation? Process(string path, Span<float> destination) => Process(ImageDecoder.Decode8(path, DecoderOptions), destination);

    /// <summary>Resizes (8-bit, exactly as PIL) and normalises a decoded image.</summary>
    public float[] Process(Rgb8Image image)
    {
        var result = new float[OutputLength];
        Process(image, result);
        return result;
    }

    /// <summary>Frames, resizes (8-bit, exactly as PIL), maps the colours of and normalises a decoded image into <paramref name="destination"/> (length <see cref="OutputLength"/>).</summary>
    /// <returns>Where the cell was found (null when the preprocessing does not look for it).</returns>
    public CellLocation? Process(Rgb8Image image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        var framed = View(image);
        Fill(framed, destination);
        return framed.Location;
    }

    /// <summary>
    /// As <see cref="Process(Rgb8Image, Span{float})"/>, and always says where the cell is: for a model that takes the
    /// whole image the locator runs on its own (its answer decides "not a cell").
    /// </summary>
    public CellLocation ProcessLocated(Rgb8Image image, Span<float> destination) => Process(image, destination) ?? CellLocator.Locate(image);

    /// <summary>
    /// Every white cell of an image as a model input with where it is (<see cref="CellLocator.LocateAll"/>): an image
    /// with one cell (or none) gives exactly what <see cref="ProcessLocated"/> gives; a field with several gives one
    /// input per cell, each framed around its own nucleus by the model's framing (for a model that takes the whole
    /// image: <see cref="FieldNucleusFactor"/> nucleus extents a side, the framing of its training images).
    /// </summary>
    /// <param name="image">The decoded image.</param>
    /// <param name="oneCell">One answer per image, as <see cref="ProcessLocated"/>, however many cells it holds.</param>
    public IReadOnlyList<(float[] Input, CellLocation Location)> ProcessCells(Rgb8Image image, bool oneCell = false) =>
        ProcessCells(image, LocateCells(image, oneCell));

    /// <summary>
    /// As <see cref="ProcessCells(Rgb8Image, bool)"/>, for the cells <see cref="LocateCells"/> found in <paramref name="image"/>
    /// (located once, counted by the caller, then framed here).
    /// </summary>
    public IReadOnlyList<(float[] Input, CellLocation Location)> ProcessCells(Rgb8Image image, IReadOnlyList<CellLocation> cells) =>
        Views(image, cells).Select(view =>
        {
            var input = new float[OutputLength];
            Fill(view, input);
            return (input, view.Location);
        }).ToArray();

    /// <summary>
    /// The white cells <see cref="ProcessCells(Rgb8Image, bool)"/> finds in an image, located by the model's framing, without framing
    /// them yet (a caller can count them first): two or more for a field of several cells, otherwise one (the located
    /// cell, or the "no cell" location; the image then gives one input, as <see cref="ProcessLocated"/>). Empty with
    /// <paramref name="oneCell"/>.
    /// </summary>
    /// <param name="image">The decoded image.</param>
    /// <param name="oneCell">One answer per image: nothing is searched.</param>
    public IReadOnlyList<CellLocation> LocateCells(Rgb8Image image, bool oneCell = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        return oneCell ? [] : CellLocator.LocateAll(image, Preprocessing.NucleusFactor, Preprocessing.Framing == Framing.Cell ? Preprocessing.RedCells : 0);
    }

    /// <summary>
    /// The model's view of each white cell of an image before resizing, with where the cell is: for a field of several
    /// cells, the square frame around each (as <see cref="ProcessCells(Rgb8Image, bool)"/> frames it); otherwise the one view of
    /// <see cref="View"/>, with the located cell (or the "no cell" location). <see cref="Fill"/> turns a view into the
    /// model input <see cref="ProcessCells(Rgb8Image, bool)"/> gives for that cell.
    /// </summary>
    /// <param name="image">The decoded image.</param>
    /// <param name="oneCell">One view per image, as <see cref="ProcessLocated"/>, however many cells it holds.</param>
    public IReadOnlyList<(Rgb8Image View, CellLocation Location)> CellViews(Rgb8Image image, bool oneCell = false) => Views(image, LocateCells(image, oneCell));

    // The views of located cells; the locator runs once per image. One located cell (or none) is framed as View frames
    // it; the cells of a field each get their own frame, for a model that takes the whole image FieldNucleusFactor
    // nucleus extents a side (the nucleus rule with that factor: its 1.15-extent floor never binds).
    private IReadOnlyList<(Rgb8Image View, CellLocation Location)> Views(Rgb8Image image, IReadOnlyList<CellLocation> cells)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(cells);
        bool whole = Preprocessing.Framing == Framing.Whole;
        if (cells.Count == 0)
        {
            var framed = View(image);
            return [(framed.View, framed.Location ?? CellLocator.Locate(image))];
        }
        if (cells.Count == 1) return [(whole ? image : CellLocator.Crop(image, cells[0]), cells[0])];
        return cells.Select(location =>
        {
            CellLocation at = whole ? location with { Side = FieldNucleusFactor * location.Cell!.Extent } : location;
            return (CellLocator.Crop(image, at), at);
        }).ToArray();
    }

    /// <summary>
    /// Side of the frame, in nucleus extents, around each cell of a several-cell field for a model that takes the whole
    /// image: the median over Acevedo-20's images of the image side over the nucleus extent the locator finds (measured
    /// on 200 images: 3.1; quartiles 2.5 and 3.4), so that each cell sits in its frame as in the images such a model was trained on.
    /// </summary>
    public const double FieldNucleusFactor = 3.1;

    /// <summary>The model input of a view made by <see cref="View"/> (resized, colour-mapped, normalised) into <paramref name="destination"/>.</summary>
    public void Fill((Rgb8Image View, CellLocation? Location) framed, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(framed.View);
        CheckDestination(destination);
        Planar(framed.View, framed.Location, Size, Preprocessing, destination);
        Normalization.ApplyInPlace(destination[..OutputLength]);
    }

    /// <summary>
    /// The model's view of the cell before resizing: the whole image, or the square frame around the located cell
    /// (filled with the background colour where it leaves the image), with where the cell was found (null when not looked for).
    /// </summary>
    public (Rgb8Image View, CellLocation? Location) View(Rgb8Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!Preprocessing.NeedsLocator) return (image, null);
        CellLocation location = CellLocator.Locate(image, Preprocessing.NucleusFactor, Preprocessing.Framing == Framing.Cell ? Preprocessing.RedCells : 0);
        return (Preprocessing.Framing == Framing.Whole ? image : CellLocator.Crop(image, location), location);
    }

    /// <summary>
    /// Resizes a view to <paramref name="size"/> (8-bit, exactly as PIL), scales it to [0, 1] and maps its colours:
    /// planar RGB, not yet normalised, into <paramref name="destination"/> (length 3·size²).
    /// </summary>
    public static void Planar(Rgb8Image view, CellLocation? location, int size, Preprocessing preprocessing, Span<float> destination)
    {
        Rgb8Image sized = view.Width == size && view.Height == size ? view : Resampler.ResizeBicubic(view, size, size);
        byte[] px = sized.Pixels;
        int plane = size * size;
        for (int i = 0; i < plane; i++)
        {
            destination[i] = px[3 * i] / 255f;
            destination[plane + i] = px[3 * i + 1] / 255f;
            destination[2 * plane + i] = px[3 * i + 2] / 255f;
        }
        if (location is null) return;
        if (preprocessing.Color == ColorMode.Anchors) ColorAnchors.Apply(destination[..(3 * plane)], location);
        else if (preprocessing.Color == ColorMode.Stains) StainAnchors.Apply(destination[..(3 * plane)], location, preprocessing.LabRedCell);
    }

    private void CheckDestination(Span<float> destination)
    {
        if (destination.Length != OutputLength)
            throw new ArgumentException($"destination must hold {OutputLength} values (3×{Size}×{Size}), got {destination.Length}", nameof(destination));
    }
}
