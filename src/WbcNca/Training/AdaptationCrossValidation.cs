using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Runtime;
using static TorchSharp.torch;

namespace WbcNca.Training;

/// <summary>
/// How well a model adapted on all of a lab's labelled cells will do on that lab's new cells, estimated by
/// cross-validation: the labelled cells are split into seeded, stratified folds (<see cref="Folds"/>), and
/// each fold is scored by a copy of the model whose head <see cref="HeadAdaptation.Run"/> adapted on the other folds'
/// cells. The answers are the adapted models' own (the mean of their views when they answer with views). Tells a lab
/// whether its shift is one the head can absorb, and how far more corrections would take it.
/// </summary>
public static class AdaptationCrossValidation
{
    /// <summary>
    /// The pooled held-out scores of <paramref name="folds"/>-fold cross-validation over <paramref name="cells"/>: five-type
    /// metrics for cells labelled with the main types, fine-class metrics for a set of the 13 classes.
    /// </summary>
    /// <param name="load">A fresh copy of the model to adapt (called once per fold: adaptation changes the head in place).</param>
    /// <param name="cache">The labelled cells, framed and colour-mapped as the model expects.</param>
    /// <param name="cells">Which cached cells take part.</param>
    /// <param name="level">Label level of the cache.</param>
    /// <param name="options">How each fold's head is adapted; its seed also draws the folds.</param>
    /// <param name="folds">Number of folds (2 … the number of cells).</param>
    /// <param name="device">Compute device.</param>
    /// <param name="progress">Called with each fold done (1-based).</param>
    public static ClassificationMetrics Run(Func<ModelBundle> load, ImageCache cache, IReadOnlyList<int> cells, LabelLevel level, AdaptOptions options, int folds,
        Device? device = null, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(cache);
        if (folds < 2) throw new WbcNcaException($"cross-validation needs at least 2 folds (got {folds})");
        if (cells.Count < folds) throw new WbcNcaException($"{folds}-fold cross-validation needs at least {folds} labelled cells (got {cells.Count})");
        IReadOnlyList<int> fold = Folds(cache, cells, folds, options.Seed);
        bool coarse = level == LabelLevel.Coarse;
        IReadOnlyList<string> names = coarse ? Evaluator.FiveTypes : CellClasses.Names(level);
        var confusion = new ConfusionMatrix(names);
        for (int f = 0; f < folds; f++)
        {
            int[] train = cells.Where((_, i) => fold[i] != f).ToArray(), test = cells.Where((_, i) => fold[i] == f).ToArray();
            ModelBundle bundle = load();
            Imaging.Normalization normalization = HeadAdaptation.Run(bundle, cache, train, level, options, device).Normalization ?? bundle.Normalization;
            var averaging = options.Averaging;
            float[] probabilities = Evaluator.AveragedProbabilities(bundle.Model, cache, test, normalization, 0,
                Evaluator.EffectiveSamples(bundle.Model, averaging.Samples, averaging.Views), 64, device, views: averaging.Views);
            int classes = bundle.Spec.NumClasses;
            int[] predicted = coarse ? Evaluator.FiveTypePredictions(probabilities, classes) : CachedInference.ArgMax(probabilities, classes);
            for (int i = 0; i < test.Length; i++)
            {
                int truth = cache.Labels[test[i]];
                if (coarse && truth == CellClasses.CoarseOther) continue;   // five-type scores leave "other" cells out
                confusion.Add(truth, predicted[i]);
            }
            progress?.Invoke(f + 1);
        }
        return ClassificationMetrics.From(confusion, coarse ? Evaluator.FiveTypesLevel : CellClasses.LevelName(level));
    }

    /// <summary>
    /// The fold of each of <paramref name="cells"/>: the project's seeded, stratified split (<see cref="StratifiedKFold"/>),
    /// with cells whose framed images are identical (the same picture filed twice) kept in one fold.
    /// </summary>
    public static IReadOnlyList<int> Folds(ImageCache cache, IReadOnlyList<int> cells, int folds, long seed)
    {
        string[] keys = cells.Select(i => cache.Items[i].RelativePath + "\0" + cache.Items[i].Path).ToArray();
        string[] content = cells.Select(i => Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(cache.Image(i))))).ToArray();
        return StratifiedKFold.Split(keys, cells.Select(i => cache.Labels[i]).ToArray(), DuplicateGroups.FromKeys(content), folds, unchecked((int)seed)).Folds;
    }
}
