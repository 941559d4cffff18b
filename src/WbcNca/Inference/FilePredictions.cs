using WbcNca.Imaging;

namespace WbcNca.Inference;

/// <summary>
/// Classifies image files as a stream: paths are pulled from the sequence one chunk at a time, decoded, predicted and
/// handed on before the next chunk is read, so at most one chunk of decoded images is held however many files there
/// are (a folder of 100,000 images needs no more memory than one of 100).
/// </summary>
public static class FilePredictions
{
    /// <summary>
    /// The outcome of every path, in order. With <paramref name="skipUnreadable"/> an unreadable file yields an entry with
    /// its <see cref="FilePrediction.Error"/>; without, the files before it are still predicted and yielded, then its
    /// <see cref="ImageLoadException"/> is thrown.
    /// </summary>
    /// <param name="predictor">The model runner.</param>
    /// <param name="preprocessor">Decoding, resizing, normalisation.</param>
    /// <param name="paths">Image files; enumerated lazily, one chunk ahead of what has been yielded.</param>
    /// <param name="options">Inference mode and batch size.</param>
    /// <param name="skipUnreadable">Report and go on instead of stopping at an unreadable file.</param>
    /// <param name="chunkSize">Files decoded before predicting (default: four batches).</param>
    /// <param name="decision">When an answer is given, reviewed or refused (default: the model's).</param>
    public static IEnumerable<FilePrediction> Run(Predictor predictor, ImagePreprocessor preprocessor, IEnumerable<string> paths, PredictOptions options,
        bool skipUnreadable, int chunkSize = 0, DecisionRule? decision = null)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentNullException.ThrowIfNull(paths);
        options.Validate();
        int chunk = chunkSize > 0 ? chunkSize : 4 * options.BatchSize;
        return Iterate(predictor, preprocessor, paths, options, skipUnreadable, chunk, decision ?? predictor.Bundle.Decision);
    }

    /// <summary>
    /// Groups the stream of <see cref="Run"/> by image: the cells of one image (or one skipped file) in one list, in
    /// order, each list handed on as soon as its image is complete.
    /// </summary>
    public static IEnumerable<IReadOnlyList<FilePrediction>> ByImage(IEnumerable<FilePrediction> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var image = new List<FilePrediction>();
        foreach (FilePrediction cell in cells)
        {
            image.Add(cell);
            if (cell.Error is not null || cell.Cell == cell.CellsInImage - 1)
            {
                yield return image;
                image = [];
            }
        }
        if (image.Count > 0) yield return image;
    }

    private static IEnumerable<FilePrediction> Iterate(Predictor predictor, ImagePreprocessor preprocessor, IEnumerable<string> paths, PredictOptions options,
        bool skipUnreadable, int chunk, DecisionRule decision)
    {
        var pending = new List<FilePrediction>(chunk);    // in order: decoded images (Prediction still null) and skipped files
        var images = new List<float[]>(chunk);
        ImageLoadException? stop = null;
        foreach (string path in paths)
        {
            try
            {
                Rgb8Image image = ImageDecoder.Decode8(path, preprocessor.DecoderOptions);
                // The locator runs for every image: its answer decides "not a cell" even for a model that takes the whole
                // image, and finds the cells of a field.
                var cells = preprocessor.ProcessCells(image, options.OneCell);
                for (int c = 0; c < cells.Count; c++)
                {
                    images.Add(cells[c].Input);
                    pending.Add(new FilePrediction(path, null, null) { Location = cells[c].Location, Cell = c, CellsInImage = cells.Count });
                }
            }
            catch (ImageLoadException e)
            {
                if (!skipUnreadable)
                {
                    stop = e;
                    break;
                }
                pending.Add(new FilePrediction(path, null, e));
            }
            if (pending.Count >= chunk)
            {
                foreach (var result in Flush(predictor, options, pending, images, decision)) yield return result;
            }
        }
        foreach (var result in Flush(predictor, options, pending, images, decision)) yield return result;
        if (stop is not null) throw stop;
    }

    private static List<FilePrediction> Flush(Predictor predictor, PredictOptions options, List<FilePrediction> pending, List<float[]> images, DecisionRule decision)
    {
        IReadOnlyList<Prediction> predictions = images.Count > 0 ? predictor.Predict(images, options) : [];
        var results = new List<FilePrediction>(pending.Count);
        int next = 0;
        foreach (var item in pending)
        {
            if (item.Error is not null) { results.Add(item); continue; }
            Prediction p = predictions[next++];
            var (status, reason) = decision.Decide(p, item.Location);
            results.Add(item with { Prediction = p, Status = status, Reason = reason });
        }
        pending.Clear();
        images.Clear();
        return results;
    }
}
