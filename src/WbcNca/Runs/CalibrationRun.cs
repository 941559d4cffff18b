using System.Globalization;
using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Engines;
using WbcNca.Evaluation;
using WbcNca.IO;
using static TorchSharp.torch;

namespace WbcNca.Runs;

/// <summary>
/// Fits, for a model already trained, what training now fits at its end: the temperature, the review threshold and the
/// feature distance with its not-a-cell threshold, on the model's own training and validation parts (rebuilt from the
/// split its model file records, so the held-out fold stays unseen). Writes the model with them to
/// <see cref="OutPath"/>; the weights are unchanged.
/// </summary>
/// <param name="ModelPath">The trained model.</param>
/// <param name="DatasetKind">Reader of the data set it was trained on (e.g. acevedo20).</param>
/// <param name="DataPath">That data set's folder.</param>
/// <param name="OutPath">Where the model with its fitted rules is written (may be <paramref name="ModelPath"/>).</param>
/// <param name="Threads">Threads for decoding.</param>
/// <param name="Outliers">
/// Image files that are not white cells (platelets, debris) for the feature-distance threshold to send to review
/// (<see cref="Inference.DecisionRule.WithFeatureDistanceChosenOn"/>); none: the threshold keeps a share of the validation cells.
/// </param>
/// <param name="Averaging">
/// How the model will answer (several mask draws, views): everything is fitted on answers averaged so, and the model
/// file stores it as the model's default; null: one run, as training fits.
/// </param>
public sealed record CalibrationRun(string ModelPath, string DatasetKind, string DataPath, string OutPath, int Threads = 1, IReadOnlyList<string>? Outliers = null,
    Inference.TestTimeAveraging? Averaging = null)
{
    /// <summary>Runs it; returns the written model.</summary>
    /// <exception cref="WbcNcaException">The model records no split, was not trained on a data set with a validation part, or is a baseline.</exception>
    public ModelBundle Run(IRunLog view, Device? device = null, NcaEngine? engine = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        ModelBundle bundle = ModelFile.Load(ModelPath, device);
        if (bundle.Spec.Nca is null) throw WbcNcaException.ForFile(ModelPath, "is a baseline: the feature distance is measured on the NCA's pooled state");
        HeldOutFold fold = HeldOutFold.Recorded(bundle.Provenance, ModelPath)
            ?? throw WbcNcaException.ForFile(ModelPath, "records no training split (fold and split seed), so its validation part cannot be found");
        double validationFraction = ValidationFraction(bundle.Provenance);
        Dataset set = DatasetReader.Open(DatasetKind, DataPath);
        var (training, validation) = fold.TrainingParts(ModelPath, bundle.Provenance, set, validationFraction);
        if (validation.Count == 0) throw WbcNcaException.ForFile(ModelPath, "was trained without a validation part: there is nothing held out to fit on");
        // The training images the feature distance is fitted on (as Evaluator takes them), and the validation part.
        LabeledImage[] fit = Evaluator.FeatureFitImages(training, i => i.Label);
        LabeledImage[] outlierItems = (Outliers ?? []).Select(f => new LabeledImage(f, "outlier:" + f, 0, LabelLevel.Fine, "outlier")).ToArray();
        LabeledImage[] items = [.. fit, .. validation, .. outlierItems];
        string examples = outlierItems.Length > 0 ? string.Create(CultureInfo.InvariantCulture, $", and {outlierItems.Length} examples of non-white cells") : "";
        view.Info(string.Create(CultureInfo.InvariantCulture,
            $"fold {fold.Fold}/{fold.Folds} rebuilt from the model's record: fitting on {fit.Length} training and {validation.Count} validation images of {DataPath}{examples}"));
        IRunCounter counter = view.Count("decoding", items.Length);
        ImageCache cache = ImageCache.Load(items, bundle.Spec.ImageSize, Threads, progress: _ => counter.Advance(1), skipUnreadable: true, preprocessing: bundle.Preprocessing);
        counter.Done();
        foreach (var rejected in cache.Rejected) view.Warning($"skipped {rejected.Message}");
        var position = cache.Items.Select((item, i) => (item.RelativePath, i)).ToDictionary(t => t.RelativePath, t => t.i, StringComparer.Ordinal);
        int[] fitIndices = fit.Where(i => position.ContainsKey(i.RelativePath)).Select(i => position[i.RelativePath]).ToArray();
        int[] validationIndices = validation.Where(i => position.ContainsKey(i.RelativePath)).Select(i => position[i.RelativePath]).ToArray();
        int[] outlierIndices = outlierItems.Where(i => position.ContainsKey(i.RelativePath)).Select(i => position[i.RelativePath]).ToArray();
        long maskSeed = ValidationSeed(bundle.Provenance);
        Inference.TestTimeAveraging averaging = (Averaging ?? Inference.TestTimeAveraging.Single).Validate();
        if (averaging.Samples > 1) view.Info($"fitted on answers averaged over {averaging}, the model's default from now on");
        // Forward passes: the validation part for the temperature, then the feature distance's training images, the
        // validation part and the examples of non-white cells (an NCA's), each once per run of the averaging.
        // (fitIndices are the feature distance's training images already: FeatureFitImages chose them above.)
        int passes = validationIndices.Length + (bundle.Model is Model.NcaCellClassifier ? fitIndices.Length + validationIndices.Length + outlierIndices.Length : 0);
        IRunCounter calibrating = view.Count("calibrating", (long)passes * Evaluator.RunsPerImage(bundle, averaging));
        var (calibration, decision) = Evaluator.FitConfidence(bundle, cache, validationIndices, bundle.Normalization, maskSeed, device, engine, averaging, n => calibrating.Advance(n));
        ModelBundle result = bundle with
        {
            Calibration = calibration,
            // One run: the model's spread rule as it was; several: the one chosen on their answers.
            Decision = decision with { MinNucleusRedCells = bundle.Decision.MinNucleusRedCells, MaxSpread = averaging.Samples > 1 ? decision.MaxSpread : bundle.Decision.MaxSpread },
            Averaging = averaging,
        };
        if (Evaluator.FitFeatureDistance(result, cache, fitIndices, validationIndices, bundle.Normalization, maskSeed, device, engine, outlierIndices, averaging,
                n => calibrating.Advance(n)) is var (distance, withDistance))
            result = result with { FeatureDistance = distance, Decision = withDistance };
        calibrating.Done();
        ModelFile.Save(result, OutPath);
        view.Info($"calibration: {calibration}");
        view.Info($"feature distance: {result.FeatureDistance}");
        view.Info($"decision: {result.Decision}");
        return result;
    }

    // The validation fraction of the training run (train_options in the provenance; the trainer's default without it).
    private static double ValidationFraction(IReadOnlyDictionary<string, string> provenance) =>
        TrainOption(provenance, "validation_fraction") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : new Training.TrainOptions().ValidationFraction;

    // The fixed mask seed of validation during training (train_options; 0 without it).
    private static long ValidationSeed(IReadOnlyDictionary<string, string> provenance) =>
        TrainOption(provenance, "validation_seed") is { ValueKind: JsonValueKind.Number } v ? v.GetInt64() : 0;

    private static JsonElement? TrainOption(IReadOnlyDictionary<string, string> provenance, string key)
    {
        if (!provenance.TryGetValue("train_options", out string? json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty(key, out JsonElement v) ? v.Clone() : null;
        }
        catch (JsonException) { return null; }
    }
}
