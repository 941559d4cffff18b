namespace WbcNca.Imaging;

/// <summary>
/// Turns an image into the model's input as the paper's reference code does: resize to
/// <see cref="Size"/>×<see cref="Size"/> with PIL-compatible bicubic resampling (on the 8-bit pixels,
/// skipped when the image already has that size; the aspect ratio is not kept), scale to [0, 1]
/// (byte / 255), and normalise with <see cref="Normalization"/>. The result is planar float data of
/// length 3·Size·Size (layout C×H×W), ready to become a tensor of shape (3, Size, Size).
/// </summary>
public sealed class ImagePreprocessor
{
    /// <summary>Creates a preprocessor for square model inputs of side <paramref name="size"/>.</summary>
    public ImagePreprocessor(int size, Normalization normalization, ImageDecoderOptions? decoderOptions = null)
    {
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
    public void Process(string path, Span<float> destination) => Process(ImageDecoder.Decode8(path, DecoderOptions), destination);

    /// <summary>Resizes (8-bit, exactly as PIL) and normalises a decoded image.</summary>
    public float[] Process(Rgb8Image image)
    {
        var result = new float[OutputLength];
        Process(image, result);
        return result;
    }

    /// <summary>Resizes (8-bit, exactly as PIL) and normalises a decoded image into <paramref name="destination"/> (length <see cref="OutputLength"/>).</summary>
    public void Process(Rgb8Image image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckDestination(destination);
        Rgb8Image sized = image.Width == Size && image.Height == Size ? image : Resampler.ResizeBicubic(image, Size, Size);
        byte[] px = sized.Pixels;
        int plane = Size * Size;
        for (int i = 0; i < plane; i++)
        {
            destination[i] = px[3 * i] / 255f;
            destination[plane + i] = px[3 * i + 1] / 255f;
            destination[2 * plane + i] = px[3 * i + 2] / 255f;
        }
        Normalization.ApplyInPlace(destination[..OutputLength]);
    }

    /// <summary>Resizes (in floating point) and normalises an image whose values are in [0, 1].</summary>
    public float[] Process(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        RgbImage sized = Resampler.ResizeBicubic(image, Size, Size);
        float[] result = sized.Planar;
        Normalization.ApplyInPlace(result);
        return result;
    }

    private void CheckDestination(Span<float> destination)
    {
        if (destination.Length != OutputLength)
            throw new ArgumentException($"destination must hold {OutputLength} values (3×{Size}×{Size}), got {destination.Length}", nameof(destination));
    }
}
