namespace WbcNca.Web;

/// <summary>Settings of the web server: request limits, inference mode and the inference queue.</summary>
/// <param name="MaxImagesPerRequest">Most images one request may carry (more: 413).</param>
/// <param name="MaxUploadBytes">Most bytes one request body may have (more: 413).</param>
/// <param name="MaxImagePixels">Most pixels (width·height) one image may declare (more: 413), checked before decoding.</param>
/// <param name="Samples">Stochastic runs averaged per image by default; their spread is the uncertainty shown.</param>
/// <param name="MaxSamples">Largest <c>samples</c> a request may ask for.</param>
/// <param name="Seed">Seed of the first run's update masks (the same image always gets the same answer).</param>
/// <param name="QueueCapacity">Requests that may wait for the model; when the queue is full the server answers 503.</param>
/// <param name="Workers">Requests the model works on at the same time (each uses libtorch's threads).</param>
/// <param name="BatchSize">Most images per forward pass; waiting requests with the same settings are batched together.</param>
/// <param name="Views">Each of a request's runs sees the cell turned or mirrored (<see cref="Imaging.DihedralView"/>) unless the request says <c>views=false</c>.</param>
/// <param name="MaxCells">Most white cells the images of one request may hold together (a field holds several; more:
/// 413); 0: <see cref="CellsPerImage"/> × <paramref name="MaxImagesPerRequest"/>.</param>
public sealed record WebOptions(
    int MaxImagesPerRequest = 32,
    long MaxUploadBytes = 32L * 1024 * 1024,
    long MaxImagePixels = 16L * 1024 * 1024,
    int Samples = 8,
    int MaxSamples = 32,
    long Seed = 0,
    int QueueCapacity = 64,
    int Workers = 1,
    int BatchSize = 16,
    int MaxCells = 0,
    bool Views = false)
{
    /// <summary>White cells per allowed image that a request may hold on average when <see cref="MaxCells"/> is 0.</summary>
    public const int CellsPerImage = 8;

    /// <summary>Most white cells one request may hold: <see cref="MaxCells"/>, or <see cref="CellsPerImage"/> × <see cref="MaxImagesPerRequest"/>.</summary>
    public int MaxCellsPerRequest => MaxCells > 0 ? MaxCells : CellsPerImage * MaxImagesPerRequest;

    /// <summary>Throws <see cref="WbcNcaException"/> with a one-line reason when a value is out of range.</summary>
    public WebOptions Validate()
    {
        if (MaxImagesPerRequest < 1) throw new WbcNcaException($"--max-images must be ≥ 1 (got {MaxImagesPerRequest})");
        if (MaxUploadBytes < 1024) throw new WbcNcaException($"--max-upload-mb is too small (got {MaxUploadBytes} bytes)");
        if (MaxImagePixels < 1) throw new WbcNcaException($"the pixel limit must be ≥ 1 (got {MaxImagePixels})");
        if (Samples < 1 || Samples > MaxSamples) throw new WbcNcaException($"--samples must be in 1..{MaxSamples} (got {Samples})");
        if (QueueCapacity < 1) throw new WbcNcaException($"--queue must be ≥ 1 (got {QueueCapacity})");
        if (Workers < 1) throw new WbcNcaException($"--workers must be ≥ 1 (got {Workers})");
        if (BatchSize < 1) throw new WbcNcaException($"--batch-size must be ≥ 1 (got {BatchSize})");
        if (MaxCells < 0) throw new WbcNcaException($"the cell limit must be ≥ 0 (got {MaxCells})");
        return this;
    }
}
