using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Explainability;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.IO;
using WbcNca.Reporting;
using WbcNca.Runs;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca evaluate --data DIR [--model M]</c>: accuracy, balanced accuracy, macro-F1, per-class figures and the
/// confusion matrix of a model on a labelled data set (or on one fold of it), at the set's level and, for a
/// fine-labelled set, also at the coarse level; for a coarse-labelled set also over the five main types alone.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var dataset = new Option<string>("--dataset") { Description = $"Dataset layout: {string.Join(", ", DatasetReader.Kinds)}", DefaultValueFactory = _ => "folder" };
        var data = new Option<string>("--data") { Description = "Dataset folder (labelled: its layout is --dataset)", Required = true };
        var labAnchors = CommonOptions.LabAnchors();
        var normalization = new Option<string?>("--normalization")
        {
            Description = $"Normalisation of this set: {string.Join(", ", Normalization.KnownNames)} (image = per image), dataset (the evaluated images' own statistics, after framing: the paper's protocol; uses the target set's unlabelled images) or a statistics file from 'wbc-nca stats' (lab.json) [default: the model's]",
        };
        var seeds = CommonOptions.MaskSeeds();
        var samples = new Option<int?>("--samples")
        {
            Description = "Average the probabilities of this many mask draws (seeds s, s+1, …) before the arg-max, for each --mask-seeds s (seeds N apart give disjoint draws, e.g. --samples 8 --mask-seeds 0,8,16) [default: the model's own ('info': answers with), 1 for most models]",
        };
        var views = CommonOptions.Views();
        var limit = new Option<int?>("--limit-per-class") { Description = "Use at most this many images per class, chosen by --split-seed (0 = all) [default: with --fold or --held-out the model's training run's, else 0]" };
        var heldOut = new Option<bool>("--held-out") { Description = "Evaluate only the fold the model's training run held out (as its model file records it)" };
        var fold = new Option<int?>("--fold") { Description = "Evaluate only this test fold of the stratified split, 0-based" };
        var folds = new Option<int?>("--folds") { Description = "Number of folds of the stratified k-fold split (with --fold) [default: the model's training run's, else 5]" };
        var splitSeed = new Option<int?>("--split-seed") { Description = "Seed of the k-fold split and the --limit-per-class choice [default: the model's training run's, else 0]" };
        var json = CommonOptions.Json("Print one JSON object with every figure instead of tables");
        var outJson = new Option<string?>("--out-json") { Description = "Also write the JSON to this file" };
        var png = new Option<string?>("--confusion-png") { Description = "Write the confusion matrix heat map to this PNG" };
        var reliabilityPng = new Option<string?>("--reliability-png") { Description = "Write the reliability diagram (accuracy against calibrated confidence; fine-labelled sets) to this PNG" };
        var coveragePng = new Option<string?>("--coverage-png") { Description = "Write the coverage curve (accuracy of the answered cells when the least confident go to review) to this PNG" };
        var explainSummary = new Option<string?>("--explain-summary")
        {
            Description = "Also explain every evaluated image and write the \"where does it look\" summary (focus on the cell per image and per class) to this JSON file",
        };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass", DefaultValueFactory = _ => 64 };
        var onBad = CommonOptions.OnBadImage();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var engine = CommonOptions.Engine();
        var command = new Command("evaluate", "Evaluate a model on a labelled dataset")
        {
            model, dataset, data, normalization, labAnchors, seeds, samples, views, limit, heldOut, fold, folds, splitSeed, json, outJson, png, reliabilityPng, coveragePng, explainSummary, batch, onBad, device, threads, engine,
        };
        command.SetAction(parse =>
        {
            // Every option is checked before libtorch starts, the model loads and the data set is scanned.
            long[] maskSeeds = CommonOptions.ParseSeeds(parse.GetValue(seeds)!, "--mask-seeds");
            if (parse.GetValue(samples) is int sampleCount && sampleCount < 1) throw new WbcNcaException($"--samples must be ≥ 1 (got {sampleCount})");
            if (parse.GetValue(batch) is int b && b < 1) throw new WbcNcaException($"--batch-size must be ≥ 1 (got {b})");
            if (parse.GetValue(limit) is int l && l < 0) throw new WbcNcaException($"--limit-per-class must be ≥ 0 (0 = all) (got {l})");
            if (parse.GetValue(folds) is int k && k < 2) throw new WbcNcaException($"--folds must be ≥ 2 (got {k})");
            if (parse.GetValue(fold) is int f && (f < 0 || parse.GetValue(folds) is int kk && f >= kk))
                throw new WbcNcaException($"--fold must be in 0..{(parse.GetValue(folds) ?? 5) - 1} (got {f})");
            if (parse.GetValue(heldOut) && parse.GetValue(fold) is not null) throw new UsageException("--held-out and --fold: give one of them");
            string? normName = parse.GetValue(normalization);
            bool ownStatistics = normName is not null && normName.Trim().Equals(EvaluationRun.OwnStatisticsName, StringComparison.OrdinalIgnoreCase);
            Normalization? given = normName is null ? null : ownStatistics ? EvaluationRun.OwnStatistics : CommonOptions.ParseNormalization(normName);
            var dev = CommonOptions.Setup(parse.GetValue(device)!, parse.GetValue(threads));
            string modelPath = CommonOptions.ResolveModel(parse.GetValue(model));
            ModelBundle bundle = CommonOptions.WithLabAnchors(ModelFile.Load(modelPath, dev), parse.GetValue(labAnchors));
            Normalization norm = given ?? bundle.Normalization;
            var averaging = CommonOptions.Averaging(parse, samples, views, bundle);
            Dataset set = DatasetReader.Open(parse.GetValue(dataset)!, parse.GetValue(data)!);
            if (Evaluator.ClassMismatch(bundle.Classes, set.Level) is string mismatch) throw WbcNcaException.ForFile(modelPath, mismatch);
            Console.Error.Write(set.Summary());
            var log = new ConsoleRunLog();
            IReadOnlyList<LabeledImage> items = Choose(parse, modelPath, bundle, set, log, heldOut, fold, folds, splitSeed, limit);
            var evaluation = new EvaluationRun(bundle, set, items, norm, maskSeeds)
            {
                BatchSize = parse.GetValue(batch),
                Device = dev,
                Threads = parse.GetValue(threads) ?? Environment.ProcessorCount,
                SkipUnreadable = CommonOptions.SkipBadImages(parse, onBad),
                Engine = CommonOptions.ParseEngine(parse, engine, dev),
                Samples = averaging.Samples,
                Views = averaging.Views,
            }.Execute(log);
            var (report, used) = (evaluation.Report, evaluation.Used);
            if (parse.GetValue(limit) > 0 && parse.GetValue(fold) is null && !parse.GetValue(heldOut))
            {
                // A capped subset is nearly balanced: also estimate the accuracy at the whole set's class mix.
                var counts = new long[CellClasses.Names(set.Level).Count];
                foreach (var item in set.Items) counts[item.Label]++;
                report = report with { Population = PopulationEstimate.From(report.PerSeed, counts) };
            }
            if (parse.GetValue(outJson) is string o) AtomicFile.WriteAllText(o, report.ToJson());
            if (parse.GetValue(png) is string p) Plots.Confusion(report.Primary.Confusion, p, $"{set.Name} ({report.Primary.Level})");
            if (parse.GetValue(reliabilityPng) is string rp)
            {
                if (double.IsNaN(report.Confidence!.EceBefore)) throw new WbcNcaException($"--reliability-png: the model's classes are not the labels of {set.Name} ({report.Primary.Level} level), so there is no calibration to draw");
                Plots.Reliability(report.Confidence, rp, set.Name);
            }
            if (parse.GetValue(coveragePng) is string cp) Plots.Coverage(report.Confidence!, cp, $"{set.Name} ({report.Primary.Level})");
            if (parse.GetValue(json)) Console.Out.WriteLine(report.ToJson(indented: false));
            else Write(report, set.Name);
            if (parse.GetValue(explainSummary) is string summaryPath)
            {
                FocusSummary summary = ExplainSummary(bundle, set, used, norm, maskSeeds[0], dev);
                AtomicFile.WriteAllText(summaryPath, ExplanationJson.Write(summary));
                if (!parse.GetValue(json)) WriteFocus(summary);
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The images to evaluate: the model's held-out fold (<c>--held-out</c>, or <c>--fold</c> with the split the model
    /// records), another fold of a split, or every image (limited per class with <c>--limit-per-class</c>).
    /// </summary>
    private static IReadOnlyList<LabeledImage> Choose(ParseResult parse, string modelPath, ModelBundle bundle, Dataset set, IRunLog log,
        Option<bool> heldOut, Option<int?> fold, Option<int?> folds, Option<int?> splitSeed, Option<int?> limit)
    {
        HeldOutFold? recorded = HeldOutFold.Recorded(bundle.Provenance, modelPath);
        if (parse.GetValue(heldOut))
        {
            if (parse.GetValue(fold) is not null) throw new UsageException("--held-out and --fold: give one of them");
            if (recorded is null) throw WbcNcaException.ForFile(modelPath, "records no training split, so it has no held-out fold; give --fold and --folds");
        }
        else if (parse.GetValue(fold) is null)
        {
            int perClass = parse.GetValue(limit) ?? 0;
            if (perClass < 0) throw new WbcNcaException($"--limit-per-class must be ≥ 0 (got {perClass})");
            return PerClassSample.Limit(set.Items, perClass, parse.GetValue(splitSeed) ?? 0);
        }
        var chosen = new HeldOutFold(
            parse.GetValue(fold) ?? recorded!.Fold,
            parse.GetValue(folds) ?? recorded?.Folds ?? 5,
            parse.GetValue(splitSeed) ?? recorded?.SplitSeed ?? 0,
            parse.GetValue(limit) ?? recorded?.LimitPerClass ?? 0);
        if (chosen.Folds < 2) throw new WbcNcaException($"--folds must be ≥ 2 (got {chosen.Folds})");
        if (chosen.Fold < 0 || chosen.Fold >= chosen.Folds) throw new WbcNcaException($"--fold must be in 0..{chosen.Folds - 1}");
        if (chosen == recorded)
        {
            var test = chosen.TestItems(modelPath, bundle.Provenance, set, out string source);
            log.Info($"evaluating the model's held-out fold: {source}");
            return test;
        }
        if (recorded is not null && recorded.Fold != chosen.Fold && recorded.Folds == chosen.Folds && recorded.SplitSeed == chosen.SplitSeed)
            log.Warning($"fold {chosen.Fold} was part of this model's training data (its run held out fold {recorded.Fold}); the scores will be optimistic");
        IReadOnlyList<LabeledImage> candidates = chosen.Candidates(set);
        return chosen.Split(set, candidates).TrainTest(chosen.Fold).Test.Select(i => candidates[i]).ToArray();
    }

    /// <summary>
    /// The "where does it look" check over evaluated images: each image explained (ε-LRP top channels, cell mask)
    /// with the masks of <paramref name="maskSeed"/>, summarised per true class.
    /// </summary>
    public static FocusSummary ExplainSummary(ModelBundle bundle, Dataset set, IReadOnlyList<LabeledImage> items, Normalization norm, long maskSeed, TorchSharp.torch.Device device)
    {
        var explainer = new Explainer(bundle, device, norm);
        var progress = ProgressReporter.ForItems("explaining", items.Count, minimum: 8);
        int last = 0;
        FocusSummary summary = FocusSummary.Compute(explainer, items.Select(i => (i.Path, i.Label)).ToList(), CellClasses.Names(set.Level),
            new ExplainOptions(), new PredictOptions(Seed: maskSeed), d => { progress.Advance(d - last); last = d; });
        progress.Done();
        return summary;
    }

    private static void WriteFocus(FocusSummary summary)
    {
        var table = new Table().Title("where the model looks (share of top-channel activation on the cell)")
            .AddColumn("true class").AddColumn(new TableColumn("images").RightAligned()).AddColumn(new TableColumn("mean focus").RightAligned())
            .AddColumn(new TableColumn("cell area").RightAligned()).AddColumn(new TableColumn("looks at background").RightAligned());
        foreach (var c in summary.Classes)
            table.AddRow(Markup.Escape(c.Name), c.Count.ToString(CultureInfo.InvariantCulture), F(c.MeanScore), F(c.MeanAreaFraction),
                c.BackgroundShare.ToString("0%", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }

    private static void Write(EvaluationReport report, string name)
    {
        foreach (var m in new[] { report.Primary, report.Coarse, report.FiveTypes })
        {
            if (m is null) continue;
            var (acc, accStd) = report.OverSeeds(x => x.Accuracy);
            string level = m == report.FiveTypes
                ? $"five main types only (arg-max over their classes), {m.N / report.MaskSeeds.Count} images of those types"
                : $"{m.Level} level, {report.Images} images";
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]{Markup.Escape(name)}[/], {level}, normalisation {report.Normalization}, {report.MaskSeeds.Count} mask seed(s){(report.Samples > 1 ? $" × {report.Samples} averaged {(report.Views ? "views and mask draws" : "mask draws")}" : "")}: accuracy [bold]{m.Accuracy:0.0000}[/]{(m == report.Primary && report.MaskSeeds.Count > 1 ? $" ± {accStd:0.0000}" : "")}, balanced accuracy {m.BalancedAccuracy:0.0000}, macro-F1 {m.MacroF1:0.0000}"));
            var table = new Table().AddColumn("class").AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned())
                .AddColumn(new TableColumn("F1").RightAligned()).AddColumn(new TableColumn("support").RightAligned()).AddColumn(new TableColumn("predicted").RightAligned());
            foreach (var c in m.PerClass)
                if (c.Support > 0 || c.PredictedCount > 0)
                    table.AddRow(Markup.Escape(c.Name), F(c.Precision), F(c.Recall), F(c.F1), c.Support.ToString(CultureInfo.InvariantCulture), c.PredictedCount.ToString(CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            var used = Enumerable.Range(0, m.Confusion.Size).Where(i => m.Confusion.Support(i) > 0 || m.Confusion.Predicted(i) > 0).ToArray();
            var confusion = new Table().AddColumn("true \\ predicted");
            foreach (int p in used) confusion.AddColumn(new TableColumn(Markup.Escape(Short(m.Confusion.ClassNames[p]))).RightAligned());
            foreach (int t in used)
                confusion.AddRow(new[] { Markup.Escape(m.Confusion.ClassNames[t]) }.Concat(used.Select(p => m.Confusion[t, p].ToString(CultureInfo.InvariantCulture))).ToArray());
            AnsiConsole.Write(confusion);
        }
        if (report.Confidence is { } conf)
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"confidence: temperature {conf.Temperature:0.###}{(double.IsNaN(conf.EceBefore) ? "" : $", expected calibration error {conf.EceBefore:0.000} → {conf.EceAfter:0.000}")}; accuracy of the most confident 80 % {conf.AccuracyAt(0.8):0.0000}, 90 % {conf.AccuracyAt(0.9):0.0000}"));
        if (report.Population is { } pop)
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"subset of {report.Images} of {pop.ClassCounts.Sum()} images: accuracy at the whole set's class mix (per-class recall weighted by class size) [bold]{pop.Accuracy:0.0000}[/] ± {pop.AccuracyStd:0.0000}"));
    }

    private static string Short(string name) => name.Length <= 8 ? name : name[..8];

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
}
