using System.Collections.Concurrent;
using WbcNca.Data;
using WbcNca.Imaging;

namespace WbcNca.Data;

/// <summary>
/// Images decoded, framed, resized and colour-mapped once (by <see cref="ImagePreprocessor"/> with the run's
/// <see cref="Preprocessing"/>) and kept in memory as planar float RGB in [0, 1], not yet normalised, so that augmentation and normalisation can be applied per batch and
/// epochs do not decode files again. 17,000 images at 32×32 take 209 MB; at 64×64, 836 MB.
/// </summary>
public sealed class ImageCache
{
    private readonly float[] data;

    private ImageCache(int size, float[] data, int[] labels, LabeledImage[] items, Preprocessing? preprocessing = null)
    {
        Preprocessing = preprocessing ?? Preprocessing.Default;
        Size = size;
        this.data = data;
        Labels = labels;
        Items = items;
    }

    /// <summary>How the images were framed and colour-mapped.</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>Images in which <see cref="CellLocator"/> found no cell (the whole image was used); 0 when it did not look.</summary>
    public int CellsNotFound { get; private init; }

    /// <summary>Side of the square images.</summary>
    public int Size { get; }

    /// <summary>Floats per image: 3·Size·Size.</summary>
    public int ImageLength => 3 * Size * Size;

    /// <summary>Number of images.</summary>
    public int Count => Labels.Count;

    /// <summary>Label of each image.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>The items, in cache order.</summary>
    public IReadOnlyList<LabeledImage> Items { get; }

    /// <summary>Image <paramref name="index"/>: planar RGB in [0, 1].</summary>
    public ReadOnlySpan<float> Image(int index) => data.AsSpan(index * ImageLength, ImageLength);

    /// <summary>Per-channel mean and standard deviation over every cached image (after framing and colour mapping).</summary>
    public Normalization Statistics(string name) => Normalization.Measure(name, data.AsSpan(0, Count * ImageLength), ImageLength);

    /// <summary>Copies images (by cache index) into one planar array (B·3·S·S).</summary>
    public float[] Gather(IReadOnlyList<int> indices)
    {
        int len = ImageLength;
        var result = new float[indices.Count * len];
        for (int i = 0; i < indices.Count; i++) Image(indices[i]).CopyTo(result.AsSpan(i * len, len));
        return result;
    }

    /// <summary>The identity normalisation, which leaves [0, 1] values as they are.</summary>
    public static Normalization Identity { get; } = new("none", [0f, 0f, 0f], [1f, 1f, 1f]);

    /// <summary>Decodes, frames and resizes <paramref name="items"/> with <paramref name="threads"/> threads.</summary>
    /// <param name="items">Images to load.</param>
    /// <param name="size">Model image side.</param>
    /// <param name="threads">Parallel decoders (at most this many images are decoded at once).</param>
    /// <param name="progress">Called after each image with the number of images done so far (from worker threads).</param>
    /// <param name="skipUnreadable">
    /// Leave images that cannot be decoded out of the cache (listed in <see cref="Rejected"/>) instead of failing.
    /// </param>
    /// <param name="preprocessing">Framing and colour mapping (whole image, colours as decoded, when null).</param>
    /// <param name="locate">
    /// Also keep where the locator finds the cell in every image (<see cref="Locations"/>), from the same decoding: for a
    /// whole-image model the locator runs on its own.
    /// </param>
    /// <exception cref="WbcNcaException">
    /// An image cannot be decoded and <paramref name="skipUnreadable"/> is false: the message names the first such
    /// image (in item order) and how many more there are.
    /// </exception>
    public static ImageCache Load(IReadOnlyList<LabeledImage> items, int size, int threads = 1, Action<int>? progress = null, bool skipUnreadable = false,
        Preprocessing? preprocessing = null, bool locate = false)
    {
        var pre = new ImagePreprocessor(size, Identity, preprocessing: preprocessing);
        int len = pre.OutputLength;
        var data = new float[(long)items.Count * len];
        int done = 0, notFound = 0;
        var errors = new ImageLoadException?[items.Count];
        var locations = locate ? new CellLocation[items.Count] : null;
        Parallel.For(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
        {
            try
            {
                CellLocation? found = locations is null ? pre.Process(items[i].Path, data.AsSpan(i * len, len))
                    : locations[i] = pre.ProcessLocated(ImageDecoder.Decode8(items[i].Path, pre.DecoderOptions), data.AsSpan(i * len, len));
                if (found is { CellFound: false } && pre.Preprocessing.NeedsLocator) Interlocked.Increment(ref notFound);
            }
            catch (ImageLoadException e)
            {
                errors[i] = e;
            }
            progress?.Invoke(Interlocked.Increment(ref done));
        });
        ImageLoadException[] rejected = errors.OfType<ImageLoadException>().ToArray();
        if (rejected.Length == 0)
            return new ImageCache(size, data, items.Select(i => i.Label).ToArray(), items.ToArray(), pre.Preprocessing) { CellsNotFound = notFound, Locations = locations };
        if (!skipUnreadable)
        {
            string more = rejected.Length > 1 ? $"; {rejected.Length - 1} more unreadable image(s)" : "";
            throw new WbcNcaException($"{rejected[0].Message}{more} (--on-bad-image skip leaves unreadable images out)", rejected[0]);
        }
        // Move the readable images down over the gaps; the tail of the array stays unused.
        var kept = new List<LabeledImage>(items.Count - rejected.Length);
        for (int i = 0; i < items.Count; i++)
        {
            if (errors[i] is not null) continue;
            if (kept.Count != i) data.AsSpan(i * len, len).CopyTo(data.AsSpan(kept.Count * len, len));
            kept.Add(items[i]);
        }
        CellLocation[]? keptLocations = locations?.Where((_, i) => errors[i] is null).ToArray();
        return new ImageCache(size, data, kept.Select(i => i.Label).ToArray(), kept.ToArray(), pre.Preprocessing) { Rejected = rejected, CellsNotFound = notFound, Locations = keptLocations };
    }

    /// <summary>Where the locator found the cell in each image, in cache order (only when loaded with <c>locate</c>; null otherwise).</summary>
    public IReadOnlyList<CellLocation>? Locations { get; private init; }

    /// <summary>Images left out because they could not be decoded (only with <c>skipUnreadable</c>), in item order.</summary>
    public IReadOnlyList<ImageLoadException> Rejected { get; private init; } = [];

    /// <summary>An in-memory cache (tests, synthetic data).</summary>
    public static ImageCache FromArrays(int size, float[] data, int[] labels)
    {
        if (data.Length != labels.Length * 3 * size * size) throw new ArgumentException("data length does not match labels × 3 × size²");
        var items = labels.Select((l, i) => new LabeledImage($"mem:{i}", $"mem/{i}", l, LabelLevel.Fine, "mem")).ToArray();
        return new ImageCache(size, data, labels, items);
    }
}
