using System.Globalization;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Engines;
using WbcNca.Imaging;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Evaluation;

/// <summary>
/// Evaluates a model on cached images with one or more fixed update-mask seeds. A fine (13-class) model on a set labelled
/// with the five main types is scored at the coarse level: the predicted coarse class is the coarse class of the fine
/// arg-max (neutrophil = banded or segmented, lymphocyte = typical or atypical, other = the rest), so a cell counts as
/// a neutrophil only when the model's single best class is one. A fine-labelled set is scored at both levels. A
/// coarse-labelled set is also scored over the five main types alone (<see cref="FiveTypePredictions"/>): the arg-max over
/// only the classes of those types, since such a set holds no "other" cell.
/// </summary>
public static class Evaluator
{
    /// <summary>Evaluates <paramref name="bundle"/> on the cached items <paramref name="indices"/>.</summary>
    /// <param name="bundle">The model.</param>
    /// <param name="cache">Images in [0, 1] with labels at the data set's level.</param>
    /// <param name="indices">Which cached images.</param>
    /// <param name="normalization">Input normalisation (the model's, another set's, or per image).</param>
    /// <param name="maskSeeds">
    /// Update-mask seeds, one evaluation each; with <paramref name="samples"/> &gt; 1 seed s averages the masks of s, s+1, …,
    /// s+samples−1 (so seeds at least <paramref name="samples"/> apart give disjoint draws).
    /// </param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <param name="device">Compute device.</param>
    /// <param name="coarse">True when the cache's labels are coarse.</param>
    /// <param name="progress">Called with images done (over all seeds).</param>
    /// <param name="engine">How an NCA backbone is computed (default: the fused kernel on the CPU, libtorch elsewhere).</param>
    /// <param name="samples">
    /// Mask draws whose softmax probabilities are averaged before the arg-max (test-time averaging, as <c>predict --samples</c>);
    /// 1 = one draw per seed. A deterministic model (a baseline, or an NCA with fire rate 1) runs once whatever is asked,
    /// unless <paramref name="views"/> makes its runs differ.
    /// </param>
    /// <param name="views">Draw k sees the image as <see cref="DihedralView"/> k (turned and mirrored), k = 0 … samples − 1.</param>
    public static EvaluationReport Evaluate(ModelBundle bundle, ImageCache cache, IReadOnlyList<int> indices, Normalization normalization,
        IReadOnlyList<long> maskSeeds, int batchSize = 64, Device? device = null, bool coarse = false, Action<int>? progress = null, NcaEngine? engine = null,
        int samples = 1, bool views = false)
    {
        if (maskSeeds.Count == 0) throw new ArgumentException("no mask seed given", nameof(maskSeeds));
        if (samples < 1) throw new ArgumentException($"samples must be ≥ 1 (got {samples})", nameof(samples));
        samples = EffectiveSamples(bundle.Model, samples, views);
        int c = bundle.Spec.NumClasses;
        bool modelFine = c == CellClasses.FineCount;
        int[] truth = indices.Select(i => cache.Labels[i]).ToArray();
        int[]? truthCoarse = !coarse && modelFine ? truth.Select(CellClasses.CoarseOf).ToArray() : null;
        var fineLevel = coarse ? LabelLevel.Coarse : LabelLevel.Fine;
        var pooledFine = new ConfusionMatrix(CellClasses.Names(fineLevel));
        var pooledCoarse = truthCoarse is null ? null : new ConfusionMatrix(CellClasses.Coarse);
        // Five-type score of a coarse set: its cells of the five main types ("other" cells, if any, are left out).
        int[] mainTypeItems = coarse ? Enumerable.Range(0, truth.Length).Where(i => truth[i] != CellClasses.CoarseOther).ToArray() : [];
        var pooledFive = mainTypeItems.Length > 0 ? new ConfusionMatrix(FiveTypes) : null;
        var perSeed = new List<ClassificationMetrics>();
        var allProbs = new List<float>();
        var allCorrect = new List<bool>();
        var allLabels = new List<int>();
        bool labelsAreModelClasses = c == CellClasses.Names(fineLevel).Count;
        int done = 0;
        foreach (long seed in maskSeeds)
        {
            float[] probs = AveragedProbabilities(bundle.Model, cache, indices, normalization, seed, samples, batchSize, device, n => progress?.Invoke(done + n), engine, views);
            done += indices.Count * samples;
            int[] fine = CachedInference.ArgMax(probs, c);
            int[] primary = coarse && modelFine ? CoarsePredictions(probs, c) : fine;
            var m = ClassificationMetrics.From(CellClasses.Names(fineLevel), truth, primary, CellClasses.LevelName(fineLevel));
            perSeed.Add(m);
            for (int i = 0; i < truth.Length; i++) pooledFine.Add(truth[i], primary[i]);
            allProbs.AddRange(probs);
            allLabels.AddRange(truth);
            for (int i = 0; i < truth.Length; i++) allCorrect.Add(primary[i] == truth[i]);
            if (pooledCoarse is not null)
            {
                int[] pc = CoarsePredictions(probs, c);
                for (int i = 0; i < truth.Length; i++) pooledCoarse.Add(truthCoarse![i], pc[i]);
            }
            if (pooledFive is not null)
            {
                int[] pf = FiveTypePredictions(probs, c);
                foreach (int i in mainTypeItems) pooledFive.Add(truth[i], pf[i]);
            }
        }
        return new EvaluationReport(
            ClassificationMetrics.From(pooledFine, CellClasses.LevelName(fineLevel)),
            pooledCoarse is null ? null : ClassificationMetrics.From(pooledCoarse, "coarse"),
            indices.Count, maskSeeds.ToArray(), perSeed, normalization.Name)
        {
            FiveTypes = pooledFive is null ? null : ClassificationMetrics.From(pooledFive, FiveTypesLevel),
            Samples = samples,
            Views = views && samples > 1,
            Confidence = ConfidenceReport.From(allProbs.ToArray(), c, bundle.Calibration, allCorrect, labelsAreModelClasses ? allLabels : null),
        };
    }

    /// <summary>
    /// Fits the temperature of <paramref name="bundle"/> on cached held-out images (the validation part at the end of
    /// training), with the fixed masks of <paramref name="maskSeed"/>, and chooses its decision rule there: cells below the
    /// calibrated confidence that answers <see cref="Inference.DecisionRule.ValidationCoverage"/> of them go to review. The
    /// calibration records the expected calibration error before and after. No images: no calibration, the default rule.
    /// With <paramref name="averaging"/> of several runs, all of it is fitted on the answers averaged that way (masks of
    /// seeds maskSeed, maskSeed + 1, …; with views, run k on view k), as the model will answer with it.
    /// <paramref name="advance"/> is called with the number of images a forward pass has just finished (each run counts
    /// each image once).
    /// </summary>
    public static (Inference.Calibration Calibration, Inference.DecisionRule Decision) FitConfidence(ModelBundle bundle, ImageCache cache, IReadOnlyList<int> indices,
        Normalization normalization, long maskSeed, Device? device = null, NcaEngine? engine = null, Inference.TestTimeAveraging? averaging = null, Action<int>? advance = null)
    {
        if (indices.Count == 0) return (Inference.Calibration.None, Inference.DecisionRule.Default);
        int c = bundle.Spec.NumClasses;
        List<float[]> perRun = RunProbabilities(bundle, averaging, cache, indices, normalization, maskSeed, device, engine, advance);
        int runs = perRun.Count;
        int[] labels = indices.Select(i => cache.Labels[i]).ToArray();
        var fitted = new Inference.Calibration(Inference.Calibration.FitTemperature(perRun, labels, c), "validation", indices.Count);
        float[] uncalibrated = Inference.Calibration.None.ApplyAveraged(perRun, c);
        float[] calibrated = fitted.ApplyAveraged(perRun, c);
        fitted = fitted with
        {
            EceBefore = Inference.Calibration.ExpectedCalibrationError(uncalibrated, labels, c),
            EceAfter = Inference.Calibration.ExpectedCalibrationError(calibrated, labels, c),
        };
        var top = new float[indices.Count];
        for (int i = 0; i < top.Length; i++)
            for (int j = 0; j < c; j++) top[i] = Math.Max(top[i], calibrated[i * c + j]);
        Inference.DecisionRule decision = Inference.DecisionRule.ChooseOnValidation(top);
        // Several runs: the spread rule is chosen on these answers too (views disagree more than mask draws do).
        if (runs > 1) decision = decision.WithSpreadChosenOn(Inference.DecisionRule.TopClassSpreads(perRun.Select(p => fitted.Apply(p, c)).ToList(), c));
        return (fitted, decision);
    }

    /// <summary>
    /// Each run's softmax probabilities (items × classes, uncalibrated) of the runs <paramref name="averaging"/> asks of the
    /// model (null: one run): masks of seeds <paramref name="firstSeed"/>, +1, …, with views run k on view k. Several runs
    /// are what the model's averaged answer, its calibration and its spread rule are made of.
    /// </summary>
    public static List<float[]> RunProbabilities(ModelBundle bundle, Inference.TestTimeAveraging? averaging, ImageCache cache, IReadOnlyList<int> indices,
        Normalization normalization, long firstSeed, Device? device = null, NcaEngine? engine = null, Action<int>? advance = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var (runs, views) = Runs(bundle, averaging);
        return Enumerable.Range(0, runs)
            .Select(k => CachedInference.Run(bundle.Model, cache, indices, normalization, firstSeed + k, 64, device, progress: Increments(advance), engine: engine, view: views ? k : 0).Probabilities)
            .ToList();
    }

    /// <summary>The number of forward passes over each image that <paramref name="averaging"/> asks of the model.</summary>
    public static int RunsPerImage(ModelBundle bundle, Inference.TestTimeAveraging? averaging) => Runs(bundle, averaging).Runs;

    // A progress callback of one pass (images done so far) turned into increments for a counter over several passes.
    private static Action<int>? Increments(Action<int>? advance)
    {
        if (advance is null) return null;
        int last = 0;
        return done => { advance(done - last); last = done; };
    }

    // The runs an averaging asks of this model (one for a deterministic model without views) and whether they take views.
    private static (int Runs, bool Views) Runs(ModelBundle bundle, Inference.TestTimeAveraging? averaging)
    {
        var a = averaging ?? Inference.TestTimeAveraging.Single;
        int runs = EffectiveSamples(bundle.Model, a.Samples, a.Views);
        return (runs, a.Views && runs > 1);
    }

    /// <summary>Most training images per class the feature distance is fitted on (the first ones of the training part).</summary>
    public const int FeatureFitPerClass = 400;

    /// <summary>The training images the feature distance is fitted on: the first <see cref="FeatureFitPerClass"/> of each class, in order.</summary>
    public static T[] FeatureFitImages<T>(IEnumerable<T> training, Func<T, int> label) =>
        training.GroupBy(label).SelectMany(g => g.Take(FeatureFitPerClass)).ToArray();

    /// <summary>
    /// Fits the <see cref="Inference.FeatureDistance"/> of an NCA on its training part (at most
    /// <see cref="FeatureFitPerClass"/> images per class) and chooses its threshold on the validation part
    /// (<see cref="Inference.DecisionRule.WithFeatureDistanceChosenOn"/>), with the fixed masks of
    /// <paramref name="maskSeed"/>; with <paramref name="outliers"/> (cached examples of what is not a white cell), the
    /// threshold also sends most of them to review. Returns null for a baseline or without training or validation images.
    /// <paramref name="advance"/> is called with the number of images a forward pass has just finished.
    /// </summary>
    public static (Inference.FeatureDistance Distance, Inference.DecisionRule Decision)? FitFeatureDistance(ModelBundle bundle, ImageCache cache,
        IReadOnlyList<int> training, IReadOnlyList<int> validation, Normalization normalization, long maskSeed, Device? device = null, NcaEngine? engine = null,
        IReadOnlyList<int>? outliers = null, Inference.TestTimeAveraging? averaging = null, Action<int>? advance = null)
    {
        if (bundle.Model is not NcaCellClassifier nca || training.Count == 0 || validation.Count == 0) return null;
        int n = nca.Classifier.Config.Channels;
        var (runs, views) = Runs(bundle, averaging);
        // The pooled state averaged over the runs, as Predictor measures an input it answers with those runs.
        float[] Features(IReadOnlyList<int> indices)
        {
            var sum = new float[indices.Count * n];
            var one = new float[sum.Length];
            for (int k = 0; k < runs; k++)
            {
                CachedInference.Run(bundle.Model, cache, indices, normalization, maskSeed + k, 64, device, progress: Increments(advance), engine: engine, features: one, view: views ? k : 0);
                for (int i = 0; i < sum.Length; i++) sum[i] += one[i] / runs;
            }
            return sum;
        }
        int[] fit = FeatureFitImages(training, i => cache.Labels[i]);
        var distance = Inference.FeatureDistance.Fit(Features(fit), fit.Select(i => cache.Labels[i]).ToArray(), bundle.Spec.NumClasses,
            string.Create(CultureInfo.InvariantCulture, $"the training part (at most {FeatureFitPerClass} images per class)"));
        double[] Distances(IReadOnlyList<int> indices)
        {
            float[] features = Features(indices);
            return Enumerable.Range(0, indices.Count).Select(i => distance.Distance(features.AsSpan(i * n, n))).ToArray();
        }
        return (distance, bundle.Decision.WithFeatureDistanceChosenOn(Distances(validation), outliers is { Count: > 0 } ? Distances(outliers) : null));
    }

    /// <summary>
    /// The number of mask draws worth averaging: <paramref name="samples"/> for a stochastic model, 1 for a deterministic
    /// one (a baseline, or an NCA whose fire rate is 1), whose draws would all be the same run — with
    /// <paramref name="views"/>, up to the <see cref="DihedralView.Count"/> distinct views.
    /// </summary>
    public static int EffectiveSamples(ICellClassifier model, int samples, bool views = false) =>
        Inference.PredictOptions.RunCount(deterministic: !(model.IsStochastic && (model.Spec.Nca?.UpdateProbability ?? 1.0) < 1), samples, views);

    /// <summary>
    /// Softmax probabilities (items × classes, row-major) averaged over the masks of seeds <paramref name="firstSeed"/>,
    /// <paramref name="firstSeed"/>+1, …, <paramref name="firstSeed"/>+<paramref name="samples"/>−1; with one sample exactly
    /// CachedInference.Run's (for an <see cref="ICellClassifier"/>).
    /// </summary>
    /// <param name="model">The classifier.</param>
    /// <param name="cache">Images in [0, 1] with labels.</param>
    /// <param name="indices">Which cached images.</param>
    /// <param name="normalization">Input normalisation.</param>
    /// <param name="firstSeed">Seed of the first draw's masks.</param>
    /// <param name="samples">Number of draws (≥ 1).</param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <param name="device">Compute device.</param>
    /// <param name="progress">Called with images done over all samples.</param>
    /// <param name="engine">How an NCA backbone is computed.</param>
    /// <param name="views">Draw k sees the images as <see cref="DihedralView"/> k.</param>
    public static float[] AveragedProbabilities(ICellClassifier model, ImageCache cache, IReadOnlyList<int> indices, Normalization normalization,
        long firstSeed, int samples, int batchSize, Device? device = null, Action<int>? progress = null, NcaEngine? engine = null, bool views = false)
    {
        if (samples < 1) throw new ArgumentException($"samples must be ≥ 1 (got {samples})", nameof(samples));
        if (samples == 1)
            return CachedInference.Run(model, cache, indices, normalization, firstSeed, batchSize, device, progress: progress, engine: engine).Probabilities;
        double[]? sum = null;
        for (int k = 0; k < samples; k++)
        {
            int before = k * indices.Count;
            var (probs, _) = CachedInference.Run(model, cache, indices, normalization, firstSeed + k, batchSize, device, progress: n => progress?.Invoke(before + n), engine: engine,
                view: views ? k : 0);
            sum ??= new double[probs.Length];
            for (int i = 0; i < probs.Length; i++) sum[i] += probs[i];
        }
        return sum!.Select(v => (float)(v / samples)).ToArray();
    }

    /// <summary>
    /// Null when a model with <paramref name="modelClasses"/> can be scored on a set labelled at <paramref name="setLevel"/>
    /// (a model of the 13 fine classes on any set, a coarse model on a coarse set); otherwise the problem, in one line.
    /// </summary>
    public static string? ClassMismatch(IReadOnlyList<string> modelClasses, LabelLevel setLevel)
    {
        static bool Same(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
            a.Count == b.Count && a.Zip(b).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));
        if (Same(modelClasses, CellClasses.Fine)) return null;
        if (setLevel == LabelLevel.Coarse && Same(modelClasses, CellClasses.Coarse)) return null;
        return $"the model's {modelClasses.Count} classes ({string.Join(", ", modelClasses)}) do not fit a data set labelled with the {CellClasses.LevelName(setLevel)} classes ({string.Join(", ", CellClasses.Names(setLevel))}); "
            + "evaluate needs a model of the 13 fine classes, or a coarse model for a coarse set";
    }

    /// <summary>The classes of the five-type metrics: <see cref="CellClasses.MainTypes"/>.</summary>
    public static IReadOnlyList<string> FiveTypes => CellClasses.MainTypes;

    /// <summary>The <see cref="ClassificationMetrics.Level"/> of the five-type metrics.</summary>
    public const string FiveTypesLevel = "five_types";

    /// <summary>
    /// Coarse class of each row of a 13-class model's probabilities (row-major, items × 13): the coarse class of the
    /// fine arg-max.
    /// </summary>
    public static int[] CoarsePredictions(float[] probabilities, int classes)
    {
        if (classes != CellClasses.FineCount) throw new ArgumentException($"coarse predictions need a {CellClasses.FineCount}-class model, got {classes} classes");
        return CachedInference.ArgMax(probabilities, classes).Select(CellClasses.CoarseOf).ToArray();
    }

    /// <summary>
    /// Main type of each row (an index into <see cref="FiveTypes"/>, equal to its coarse index): the arg-max over only the
    /// outputs that belong to the five main types, for a 13-class model (its fine classes of those types) or a coarse one
    /// (its first five outputs). For a set that holds no "other" cell, this scores what the model says among the
    /// answers that can be right.
    /// </summary>
    public static int[] FiveTypePredictions(float[] probabilities, int classes)
    {
        Func<int, int> typeOf = classes switch
        {
            CellClasses.FineCount => CellClasses.CoarseOf,
            CellClasses.CoarseCount => j => j,
            _ => throw new ArgumentException($"five-type predictions need a {CellClasses.FineCount}- or {CellClasses.CoarseCount}-class model, got {classes} classes"),
        };
        int n = probabilities.Length / classes;
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = -1;
            for (int j = 0; j < classes; j++)
                if (typeOf(j) != CellClasses.CoarseOther && (best < 0 || probabilities[i * classes + j] > probabilities[i * classes + best])) best = j;
            result[i] = typeOf(best);
        }
        return result;
    }
}
