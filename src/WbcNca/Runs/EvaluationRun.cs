using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Engines;
using WbcNca.Evaluation;
using WbcNca.Imaging;

namespace WbcNca.Runs;

/// <summary>
/// An evaluation run: decodes <paramref name="Items"/> through the model's preprocessing, normalises them
/// (the model's statistics, others, or the images' own: <see cref="OwnStatistics"/>) and evaluates the model with
/// each of <paramref name="MaskSeeds"/>. <c>evaluate</c>, <c>experiment</c> and the tests run it.
/// </summary>
/// <param name="Bundle">The model.</param>
/// <param name="Set">The data set the items come from (its level and class names).</param>
/// <param name="Items">The images to evaluate.</param>
/// <param name="Normalization">Normalisation of the images (<see cref="OwnStatistics"/>: measured on them after framing).</param>
/// <param name="MaskSeeds">Update-mask seeds, one evaluation each.</param>
public sealed record EvaluationRun(ModelBundle Bundle, Dataset Set, IReadOnlyList<LabeledImage> Items, Normalization Normalization, IReadOnlyList<long> MaskSeeds)
{
    /// <summary>The name of <see cref="OwnStatistics"/> (<c>--normalization dataset</c>).</summary>
    public const string OwnStatisticsName = "dataset";

    /// <summary>Normalise with the evaluated images' own statistics, measured after framing (the paper's cross-domain protocol).</summary>
    public static Normalization OwnStatistics { get; } = new(OwnStatisticsName, [], []);

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Device (null: the CPU).</summary>
    public TorchSharp.torch.Device? Device { get; init; }

    /// <summary>Threads decoding images.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Leave images that cannot be decoded out (each a warning) instead of stopping.</summary>
    public bool SkipUnreadable { get; init; }

    /// <summary>Engine of an NCA backbone (null: <see cref="NcaEngines.Resolve"/>'s default).</summary>
    public NcaEngine? Engine { get; init; }

    /// <summary>Mask draws averaged per seed (see <see cref="Evaluator.Evaluate"/>).</summary>
    public int Samples { get; init; } = 1;

    /// <summary>Each averaged draw sees another <see cref="Imaging.DihedralView"/> of the cell (see <see cref="Evaluator.Evaluate"/>).</summary>
    public bool Views { get; init; }

    /// <summary>Runs the evaluation; notes (cells not found, classes without images, skipped images) go to <paramref name="log"/>.</summary>
    /// <exception cref="WbcNcaException">No readable image, or an unreadable one without <see cref="SkipUnreadable"/>.</exception>
    public EvaluationOutcome Execute(IRunLog log)
    {
        var cache = ImageCache.Load(Items, Bundle.Spec.ImageSize, Threads, skipUnreadable: SkipUnreadable, preprocessing: Bundle.Preprocessing);
        if (Bundle.Preprocessing.NeedsLocator && cache.CellsNotFound > 0)
            log.Info($"note: no cell found in {cache.CellsNotFound} of {cache.Count} image(s); they were evaluated whole");
        foreach (var rejected in cache.Rejected) log.Warning($"skipped {rejected.Message}");
        if (cache.Rejected.Count > 0) log.Info($"{cache.Count} image(s) evaluated, {cache.Rejected.Count} unreadable image(s) skipped");
        if (cache.Count == 0) throw WbcNcaException.ForFile(Set.Root, "no readable image to evaluate");
        var absent = Set.ClassNames.Where((_, c) => !cache.Labels.Contains(c)).ToArray();
        if (absent.Length > 0)
            log.Info($"note: no image of {string.Join(", ", absent)} among the evaluated images: their recall is not measured (balanced accuracy averages the {Set.ClassNames.Count - absent.Length} classes present)");
        Normalization norm = Normalization;
        if (norm.Name == OwnStatisticsName)
        {
            norm = cache.Statistics($"dataset {Set.Name}");
            log.Info($"normalised with the evaluated images' own statistics: {norm}");
        }
        int samples = Evaluator.EffectiveSamples(Bundle.Model, Samples, Views);
        IRunCounter counter = log.Count("evaluating", (long)cache.Count * MaskSeeds.Count * samples);
        int last = 0;
        var report = Evaluator.Evaluate(Bundle, cache, Enumerable.Range(0, cache.Count).ToArray(), norm, MaskSeeds, BatchSize, Device ?? TorchSharp.torch.CPU,
            coarse: Set.Level == LabelLevel.Coarse, progress: d => { counter.Advance(d - last); last = d; }, engine: NcaEngines.Resolve(Engine, Device), samples: samples, views: Views);
        counter.Done();
        return new EvaluationOutcome(report, cache.Items);
    }
}
