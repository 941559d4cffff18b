using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.IO;
using WbcNca.Training;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca adapt --model M --data CORRECTED_FOLDER --out M2</c>: refits the classifier head on a few labelled cells of
/// a new lab (a folder per class, e.g. the corrections of the lab page), keeping the class list; with
/// <c>--per-class K</c> only K cells per class are used and the model is scored on the others, before and after. With
/// <c>--unlabelled</c> the lab's images first fit the input's colours (<see cref="LabColourFit"/>) and then move the
/// answers to the lab's mix; with <c>--unlabelled</c> alone (no <c>--data</c>) only the colours are fitted.
/// </summary>
public static class AdaptCommand
{
    // The reports keep NaN scores (a class without cells) as JSON's named literals.
    private static readonly JsonSerializerOptions ReportJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var dataset = new Option<string>("--dataset") { Description = $"Dataset layout: {string.Join(", ", DatasetReader.Kinds)}", DefaultValueFactory = _ => "folder" };
        var data = new Option<string?>("--data") { Description = "Labelled cells of the new lab (a folder per class: the five main types or the 13 classes); left out, --unlabelled images only fit the input's colours to the lab (no label needed)" };
        var output = CommonOptions.Out("Adapted model file", ".safetensors");
        var perClass = new Option<int>("--per-class") { Description = "Use K cells per class (chosen by --seed) and score the model on the rest before and after (0 = use every cell)", DefaultValueFactory = _ => 0 };
        var steps = new Option<int>("--steps") { Description = "Adam steps on the head", DefaultValueFactory = _ => new AdaptOptions().Epochs };
        var pull = new Option<string>("--pull")
        {
            Description = $"Strength of the pull of the head's weights towards the trained model's (larger keeps more of what Acevedo-20 taught), or auto: chosen among {string.Join(", ", AdaptOptions.PullChoices.Select(v => v.ToString(CultureInfo.InvariantCulture)))} by {AdaptOptions.PullFolds}-fold cross-validation on the labelled cells",
            DefaultValueFactory = _ => "auto",
        };
        var rate = new Option<double>("--head-lr") { Description = "Adam learning rate of the head", DefaultValueFactory = _ => new AdaptOptions().LearningRate };
        var labAnchors = CommonOptions.LabAnchors();
        var seed = new Option<long>("--seed") { Description = "Seed of the cell choice and the update masks", DefaultValueFactory = _ => 1 };
        var report = new Option<string?>("--report") { Description = "With --per-class: write the scores on the other cells, before and after; with --cross-validate: the cross-validated scores (JSON)" };
        var unlabelled = new Option<string[]>("--unlabelled")
        {
            Description = "Unlabelled images of the same lab (files or folders, e.g. its other cells): the adapted model's answers move to the lab's mix of cell types, estimated from them (EM, Saerens et al. 2002)",
            AllowMultipleArgumentsPerToken = true,
        };
        var oneRun = new Option<bool>("--one-run") { Description = "The adapted model answers with one run instead of the mean of the 8 rotated and mirrored views it was fitted on" };
        var tune = new Option<string>("--tune")
        {
            Description = "What to fit to the lab: head (the classifier head; the cellular automaton stays as trained), colour (the head and a gain and offset per colour channel of the input, stored in the model's normalisation) or all (the head and the automaton's rule together); colour and all continue from the refitted head (its pull and calibration chosen first) and take minutes instead of seconds",
            DefaultValueFactory = _ => "head",
        };
        tune.AcceptOnlyFromAmong([.. AdaptedPartsNames.OptionValues]);
        var folds = new Option<int>("--cross-validate")
        {
            Description = "Also estimate how the adapted model will do on this lab's new cells: F-fold cross-validation over the labelled cells (each fold scored by a head adapted on the others); 0 = none",
            DefaultValueFactory = _ => 0,
        };
        var fitColours = new Option<bool?>("--fit-colours")
        {
            Description = "First fit the input's colours to the lab from the --unlabelled images, without their labels: a gain and an offset per colour channel that make the model's answers confident and spread over the five main types as a blood smear's are (--colour-mix; stored in the model's normalisation) [default: on with --unlabelled for a 13-class model with fixed normalisation statistics; always on without --data]",
        };
        var colourSteps = new Option<int>("--colour-steps") { Description = "Adam steps of the colour fit without labels", DefaultValueFactory = _ => new LabColourOptions().Steps };
        var colourDiversity = new Option<double>("--colour-diversity")
        {
            Description = "Weight of the spread of the answers over the five main types in the colour fit without labels (0 lets every cell become one type; larger assumes a more even mix)",
            DefaultValueFactory = _ => new LabColourOptions().Diversity,
        };
        var colourMix = new Option<string>("--colour-mix")
        {
            Description = "The mix of main types the colour fit without labels spreads the answers towards: blood (a healthy adult's differential: neutrophils 60 %, lymphocytes 30 %, monocytes 6 %, eosinophils 3 %, basophils 1 %), even (every type alike: a collection balanced by type) or type=percent for each of basophil, eosinophil, lymphocyte, monocyte, neutrophil (the lab's own typical mix)",
            DefaultValueFactory = _ => TypeMix.Blood.Name,
        };
        var threads = CommonOptions.Threads();
        var command = new Command("adapt", "Adapt a model to a new lab from a few labelled cells (the classifier head is refitted; under a minute on the CPU) and its unlabelled images (the input's colours fitted without labels; minutes)")
        {
            model, dataset, data, output, perClass, steps, pull, rate, labAnchors, seed, oneRun, tune, unlabelled, fitColours, colourSteps, colourDiversity, colourMix, folds, report, threads,
        };
        command.SetAction(parse =>
        {
            string pullText = parse.GetValue(pull)!.Trim();
            double? pullValue = null;
            if (!pullText.Equals("auto", StringComparison.OrdinalIgnoreCase))
            {
                if (!double.TryParse(pullText, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) throw new WbcNcaException($"--pull must be a number ≥ 0 or auto (got {pullText})");
                pullValue = v;
            }
            var options = new AdaptOptions(Epochs: parse.GetValue(steps), LearningRate: parse.GetValue(rate), WeightDecay: pullValue, Seed: parse.GetValue(seed), AnswerWithViews: !parse.GetValue(oneRun),
                Tune: AdaptedPartsNames.Parse(parse.GetValue(tune)!));
            if (options.Epochs < 1) throw new WbcNcaException($"--steps must be ≥ 1 (got {options.Epochs})");
            if (!(options.LearningRate > 0)) throw new WbcNcaException($"--head-lr must be > 0 (got {options.LearningRate})");
            if (options.WeightDecay is double w && !(w >= 0)) throw new WbcNcaException($"--pull must be a number ≥ 0 or auto (got {pullText})");
            TypeMix mix;
            try { mix = TypeMix.Parse(parse.GetValue(colourMix)!); }
            catch (WbcNcaException e) { throw new WbcNcaException($"--colour-mix: {e.Message}"); }
            var colourOptions = new LabColourOptions(Steps: parse.GetValue(colourSteps), Diversity: parse.GetValue(colourDiversity), Seed: options.Seed, Mix: mix);
            if (colourOptions.Steps < 1) throw new WbcNcaException($"--colour-steps must be ≥ 1 (got {colourOptions.Steps})");
            if (!(colourOptions.Diversity >= 0)) throw new WbcNcaException($"--colour-diversity must be ≥ 0 (got {colourOptions.Diversity})");
            int k = parse.GetValue(perClass);
            if (k < 0) throw new WbcNcaException($"--per-class: must be ≥ 0 (got {k})");
            int foldCount = parse.GetValue(folds);
            if (foldCount is < 0 or 1) throw new WbcNcaException($"--cross-validate: must be 0 (none) or ≥ 2 (got {foldCount})");
            if (foldCount > 0 && k > 0) throw new WbcNcaException("--cross-validate: scores every labelled cell; leave out --per-class");
            if (parse.GetValue(report) is not null && k == 0 && foldCount == 0) throw new WbcNcaException("--report: needs --per-class K (some cells left to score) or --cross-validate F");
            string[] unlabelledArgs = parse.GetValue(unlabelled) ?? [];
            List<string> unlabelledFiles = unlabelledArgs.Length == 0 ? [] : InputFiles.Expand(unlabelledArgs);
            string? labPath = parse.GetValue(labAnchors);
            Imaging.LabAnchors? lab = labPath is null ? null : CommonOptions.LoadLabAnchors(labPath);
            var dev = CommonOptions.Setup("cpu", parse.GetValue(threads));
            string modelPath = CommonOptions.ResolveModel(parse.GetValue(model));
            ModelBundle original = ModelFile.Load(modelPath, dev), bundle = original;
            if (!bundle.IsNca) throw WbcNcaException.ForFile(modelPath, "only an NCA can be adapted");
            // A model trained with stain anchors learns the lab's typical red-cell colour too: from --lab-anchors, or measured
            // on the labelled cells (or, without them, the unlabelled images) by WithLabAnchors below.
            if (lab is not null) bundle = CommonOptions.WithLabAnchors(bundle, lab, labPath!);
            string? dataPath = parse.GetValue(data);
            if (dataPath is null)
            {
                if (unlabelledFiles.Count == 0) throw new WbcNcaException("adapt needs --data (labelled cells of the lab) or --unlabelled (its images, to fit the input's colours without labels)");
                if (k > 0 || foldCount > 0 || parse.GetValue(report) is not null || options.Tune != AdaptedParts.Head)
                    throw new WbcNcaException("--per-class, --cross-validate, --report and --tune need labelled cells (--data)");
                return FitColoursOnly(original, bundle, lab, unlabelledArgs, unlabelledFiles, colourOptions, parse.GetValue(output)!, dev, parse.GetValue(threads) ?? Environment.ProcessorCount);
            }
            Dataset set = DatasetReader.Open(parse.GetValue(dataset)!, dataPath);
            if (Evaluator.ClassMismatch(bundle.Classes, set.Level) is string mismatch) throw WbcNcaException.ForFile(modelPath, mismatch);
            int workers = parse.GetValue(threads) ?? Environment.ProcessorCount;
            var (fit, rest) = PerClassSample.Choose(set.Items.Select(i => i.Label).ToArray(), k, options.Seed);
            bool coarse = set.Level == LabelLevel.Coarse;
            bundle = WithLabAnchors(original, bundle, lab, fit.Select(i => set.Items[i].Path).ToArray(), workers);
            bool labColours = bundle.Preprocessing != original.Preprocessing;
            // The cells as the adapted model sees them; the zero-shot score needs them as the model given saw them.
            ImageCache cache = ImageCache.Load(set.Items, bundle.Spec.ImageSize, workers, preprocessing: bundle.Preprocessing);
            // Zero-shot scores, taken before the head changes (in place): with --per-class on the other cells, with --cross-validate on the labelled ones.
            ImageCache? asGiven = null;
            EvaluationReport? ZeroShot(int[] cells) => cells.Length == 0 ? null : Evaluator.Evaluate(original,
                asGiven ??= labColours ? ImageCache.Load(set.Items, bundle.Spec.ImageSize, workers, preprocessing: original.Preprocessing) : cache,
                cells, original.Normalization, [0], coarse: coarse, samples: original.Averaging.Samples, views: original.Averaging.Views);
            EvaluationReport? before = ZeroShot(rest), zeroShot = foldCount > 0 ? ZeroShot(fit) : null;
            ImageCache? pool = unlabelledFiles.Count == 0 ? null : LoadUnlabelled(unlabelledFiles, bundle, workers);
            LabColourFitResult? colourFit = null;
            if (parse.GetValue(fitColours) ?? (pool is not null && !bundle.Normalization.IsPerImage && bundle.Spec.NumClasses == CellClasses.FineCount))
            {
                if (pool is null) throw new WbcNcaException("--fit-colours: needs the lab's images (--unlabelled)");
                colourFit = FitColours(bundle, pool, colourOptions, dev);
                bundle = bundle with { Normalization = colourFit.Normalization };
            }
            HeadAdaptationResult result = HeadAdaptation.Run(bundle, cache, fit, set.Level, options, dev);
            double pullUsed = result.Pull;
            ModelBundle adapted = bundle with
            {
                Normalization = result.Normalization ?? bundle.Normalization,
                Provenance = LabColourFit.WithProvenance(HeadAdaptation.Provenance(bundle.Provenance, dataPath, fit.Length, options, pullUsed, bundle.Preprocessing.LabRedCell), colourFit,
                    string.Join(" ", unlabelledArgs)),
                Calibration = result.Calibration,
                Decision = result.Decision,
                Averaging = options.Averaging,   // as the refitted calibration was fitted
            };
            LabelShift? shift = null;
            if (pool is not null)
            {
                shift = HeadAdaptation.ShiftToLab(adapted, pool, Enumerable.Range(0, pool.Count).ToArray(), set.Level, fit.Select(i => set.Items[i].Label).ToArray(), dev);
                adapted = adapted with { Provenance = HeadAdaptation.WithLabMix(adapted.Provenance, shift, CellClasses.Names(set.Level)) };
                Console.Error.WriteLine($"the lab's mix, from {shift.Cells} unlabelled cell(s): {HeadAdaptation.DescribeMix(shift.Estimated, CellClasses.Names(set.Level))}");
            }
            ModelFile.Save(adapted, parse.GetValue(output)!);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"adapted the {options.Tune.Describe()} on {fit.Length} cell(s) of {set.Name} × {options.Views} views (pull {pullUsed:0.###}{(options.WeightDecay is null ? ", cross-validated" : "")}): loss {result.LossBefore:0.000} → {result.LossAfter:0.000}, temperature {result.Calibration.Temperature:0.00}, review below {result.Decision.ReviewBelow:0.000}; wrote {parse.GetValue(output)}"));
            if (zeroShot is not null)
            {
                // Each fold adapts a fresh copy of the model as given (with the lab's colours measured above).
                ModelBundle Fresh() { ModelBundle b = ModelFile.Load(modelPath, dev); return bundle.Preprocessing != b.Preprocessing ? b with { Preprocessing = bundle.Preprocessing } : b; }
                ClassificationMetrics crossValidated = AdaptationCrossValidation.Run(Fresh, cache, fit, set.Level, options, foldCount, dev,
                    f => Console.Error.WriteLine($"cross-validation: fold {f}/{foldCount} done"));
                ClassificationMetrics before0 = zeroShot.FiveTypes ?? zeroShot.Primary;
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{foldCount}-fold cross-validation over the {fit.Length} labelled cell(s): {(coarse ? "five-type " : "")}accuracy {before0.Accuracy:0.0000} (as given) → {crossValidated.Accuracy:0.0000} (adapted on the other folds), balanced accuracy {before0.BalancedAccuracy:0.0000} → {crossValidated.BalancedAccuracy:0.0000}"));
                if (parse.GetValue(report) is string cvPath)
                    AtomicFile.WriteAllText(cvPath, JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["folds"] = foldCount, ["seed"] = options.Seed, ["pull"] = pullUsed, ["pull_cross_validated"] = options.WeightDecay is null, ["labelled_cells"] = fit.Length,
                        ["answers_before"] = original.Averaging.ToString(), ["answers_after"] = adapted.Averaging.ToString(),
                        ["before"] = zeroShot.ToJsonObject(), ["cross_validated"] = crossValidated.ToJsonObject(),
                    }, ReportJson));
            }
            if (before is not null)
            {
                EvaluationReport after = Evaluator.Evaluate(adapted, cache, rest, adapted.Normalization, [0], coarse: coarse, samples: adapted.Averaging.Samples, views: adapted.Averaging.Views);
                ClassificationMetrics Main(EvaluationReport r) => r.FiveTypes ?? r.Primary;
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"on the other {rest.Length} cell(s): {(coarse ? "five-type " : "")}accuracy {Main(before).Accuracy:0.0000} → {Main(after).Accuracy:0.0000}, balanced accuracy {Main(before).BalancedAccuracy:0.0000} → {Main(after).BalancedAccuracy:0.0000}"));
                if (parse.GetValue(report) is string path)
                    AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["per_class"] = k, ["seed"] = options.Seed, ["pull"] = pullUsed, ["pull_cross_validated"] = options.WeightDecay is null, ["lab_red_cell"] = bundle.Preprocessing.LabRedCell, ["fitted_cells"] = fit.Length, ["scored_cells"] = rest.Length,
                        ["answers_before"] = original.Averaging.ToString(), ["answers_after"] = adapted.Averaging.ToString(),
                        ["unlabelled_cells"] = shift?.Cells ?? 0,
                        ["lab_mix"] = shift is null ? null : CellClasses.Names(set.Level).Select((n, c) => (n, c)).Where(t => shift.Fitted[t.c] > 0).ToDictionary(t => t.n, t => shift.Estimated[t.c]),
                        ["before"] = before.ToJsonObject(), ["after"] = after.ToJsonObject(),
                    }, ReportJson));
            }
            else if (parse.GetValue(report) is not null && foldCount == 0) throw new WbcNcaException("--report: needs --per-class K with some cells left to score (every cell was used)");
            return 0;
        });
        return command;
    }

    // A model trained with stain anchors learns the lab's typical red-cell colour: given (--lab-anchors, already in the
    // bundle), or measured on the lab's images; images without usable red cells of their own then take it. Said on stderr.
    private static ModelBundle WithLabAnchors(ModelBundle original, ModelBundle bundle, Imaging.LabAnchors? lab, string[] paths, int workers)
    {
        if (lab is null && bundle.Preprocessing.Color == Imaging.ColorMode.Stains)
        {
            lab = Imaging.LabAnchors.Measure(paths, workers);
            if (lab.RedCell is not null) bundle = bundle with { Preprocessing = bundle.Preprocessing.WithLab(lab) };
        }
        if (bundle.Preprocessing != original.Preprocessing) Console.Error.WriteLine($"the lab's anchor colours: {lab}");
        return bundle;
    }

    // The lab's unlabelled images as the model sees them (unreadable ones skipped with a warning).
    private static ImageCache LoadUnlabelled(List<string> files, ModelBundle bundle, int workers)
    {
        var items = files.Select(f => new LabeledImage(f, f, 0, LabelLevel.Fine, "unlabelled")).ToArray();
        ImageCache pool = ImageCache.Load(items, bundle.Spec.ImageSize, workers, skipUnreadable: true, preprocessing: bundle.Preprocessing);
        foreach (var rejected in pool.Rejected) CliRunner.WriteWarning(Console.Error, $"skipped {rejected.Message}");
        if (pool.Count == 0) throw new WbcNcaException("--unlabelled: no readable image");
        return pool;
    }

    // The input's colours fitted to the lab on its unlabelled cells (LabColourFit), said on stderr.
    private static LabColourFitResult FitColours(ModelBundle bundle, ImageCache pool, LabColourOptions options, TorchSharp.torch.Device dev)
    {
        LabColourFitResult fit = LabColourFit.Run(bundle, pool, Enumerable.Range(0, pool.Count).ToArray(), options, dev);
        Console.Error.WriteLine($"the lab's colours, from {fit.Cells} unlabelled cell(s): {LabColourFit.Describe(fit)}");
        Console.Error.WriteLine($"the model's mean answer on {Math.Min(fit.Cells, LabColourFit.ProbeCells)} of them, colours as trained: {HeadAdaptation.DescribeMix(fit.MixBefore, CellClasses.MainTypes)}");
        Console.Error.WriteLine($"with the lab's colours: {HeadAdaptation.DescribeMix(fit.MixAfter, CellClasses.MainTypes)}");
        return fit;
    }

    // adapt without --data: the colours alone, fitted on the lab's unlabelled images.
    private static int FitColoursOnly(ModelBundle original, ModelBundle bundle, Imaging.LabAnchors? lab, string[] sources, List<string> files, LabColourOptions options, string output,
        TorchSharp.torch.Device dev, int workers)
    {
        bundle = WithLabAnchors(original, bundle, lab, files.ToArray(), workers);
        ImageCache pool = LoadUnlabelled(files, bundle, workers);
        LabColourFitResult fit = FitColours(bundle, pool, options, dev);
        ModelBundle adapted = bundle with { Normalization = fit.Normalization, Provenance = LabColourFit.WithProvenance(bundle.Provenance, fit, string.Join(" ", sources)) };
        ModelFile.Save(adapted, output);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fitted the input's colours to {fit.Cells} unlabelled cell(s) (no label used); wrote {output}"));
        return 0;
    }
}
