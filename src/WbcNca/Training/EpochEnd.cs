using WbcNca.Data;
using System.Diagnostics;
using WbcNca.Engines;
using WbcNca.Evaluation;
using WbcNca.Imaging;
using WbcNca.Model;
using WbcNca.Reporting;
using static TorchSharp.torch;

namespace WbcNca.Training;

/// <summary>
/// The end of a training epoch, the same for every trainer: the validation figures, the best-epoch rule (validation
/// balanced accuracy), and the run folder's files in crash-safe order — models, metrics and curves first, the
/// training checkpoint last, so that once the checkpoint says "epoch e" every other file of epoch e is complete.
/// </summary>
internal static class EpochEnd
{
    /// <summary>The epoch's figures: training loss and accuracy as measured, validation on fixed masks without augmentation.</summary>
    public static EpochMetrics Measure(ICellClassifier model, ImageCache cache, IReadOnlyList<int> validation, Normalization normalization,
        TrainOptions options, IReadOnlyList<string> classNames, Device device, int epoch, double trainLoss, double trainAccuracy,
        double learningRate, Stopwatch clock, NcaEngine? engine = null)
    {
        var validationClock = Stopwatch.StartNew();
        var (probs, valLoss) = CachedInference.Run(model, cache, validation, normalization, options.ValidationSeed, 64, device, engine: engine);
        int[] predicted = CachedInference.ArgMax(probs, classNames.Count);
        var valMetrics = ClassificationMetrics.From(classNames, validation.Select(i => cache.Labels[i]).ToArray(), predicted);
        return new EpochMetrics(epoch, trainLoss, trainAccuracy, valLoss, valMetrics.Accuracy, valMetrics.BalancedAccuracy, learningRate, clock.Elapsed.TotalSeconds,
            validationClock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Records <paramref name="metrics"/> in <paramref name="history"/> and the state, and writes the epoch's files:
    /// <paramref name="saveModel"/> for last (and best, when validation improved), metrics, curves, then
    /// <paramref name="saveCheckpoint"/>. Returns the new state.
    /// </summary>
    public static TrainingState Complete(TrainingState state, List<EpochMetrics> history, EpochMetrics metrics, long step, RunFolder folder,
        Action<string, EpochMetrics> saveModel, Action<TrainingState> saveCheckpoint)
    {
        history.Add(metrics);
        bool improved = metrics.ValidationBalancedAccuracy > state.BestScore;
        state = state with
        {
            Epoch = metrics.Epoch,
            Step = step,
            BestEpoch = improved ? metrics.Epoch : state.BestEpoch,
            BestScore = improved ? metrics.ValidationBalancedAccuracy : state.BestScore,
            Seconds = state.Seconds + metrics.Seconds,
            History = history.ToArray(),
        };
        saveModel(folder.LastModel, metrics);
        if (improved) saveModel(folder.BestModel, metrics);
        folder.WriteMetrics(history);
        TryPlot(history, folder.CurvesPng);
        saveCheckpoint(state);
        return state;
    }

    /// <summary>The facts every trainer stores in an epoch's model file: provenance, source, epoch, seed, validation score, options.</summary>
    public static Dictionary<string, string> ModelFacts(IReadOnlyDictionary<string, string> provenance, int epoch, TrainOptions options, EpochMetrics metrics) =>
        new(provenance)
        {
            ["source"] = "wbc-nca train",
            ["epoch"] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["validation_balanced_accuracy"] = metrics.ValidationBalancedAccuracy.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture),
            ["train_options"] = options.ToJson().ReplaceLineEndings(" "),
        };

    private static void TryPlot(IReadOnlyList<EpochMetrics> history, string path)
    {
        try
        {
            Plots.TrainingCurves(history, path);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TypeInitializationException or DllNotFoundException)
        {
            // A plot is a convenience: training goes on without it (e.g. no native Skia).
        }
    }
}
