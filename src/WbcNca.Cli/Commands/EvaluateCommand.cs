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
using WbcNca.Training;

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
        var normalization = new Option<string?>("--normalization")
        {
            Description = $"Normalisation of this set: {string.Join(", ", Normalization.KnownNames)} (image = per image), dataset (the evaluated images' own statistics, after framing: the paper's protocol; uses the target set's unlabelled images) or a statistics file from 'wbc-nca stats' (lab.json) [default: the model's]",
        };
        var seeds = CommonOptions.MaskSeeds();
        var samples = new Option<int>("--samples")
        {
            Description = "Average the probabilities of this many mask draws (seeds s, s+1, …) before the arg-max, for each --mask-seeds s (seeds N apart give disjoint draws, e.g. --samples 8 --mask-seeds 0,8,16)",
            DefaultValueFactory = _ => 1,
        };
        var limit = CommonOptions.LimitPerClass();
        var fold = new Option<int?>("--fold") { Description = "Evaluate only this test fold of the stratified split (as train made it), 0-based" };
        var folds = CommonOptions.Folds();
        var splitSeed = CommonOptions.SplitSeed();
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
            model, dataset, data, normalization, seeds, samples, limit, fold, folds, splitSeed, json, outJson, png, reliabilityPng, coveragePng, explainSummary, batch, onBad, device, threads, engine,
        };
        command.SetAction(parse =>
        {
            // Every option is checked before libtorch starts, the model loads and the data set is scanned.
            long[] maskSeeds = ParseSeeds(parse.GetValue(seeds)!, "--mask-seeds");
            int sampleCount = parse.GetValue(samples);
            if (sampleCount < 1) throw new WbcNcaException($"--samples must be ≥ 1 (got {sampleCount})");
            if (parse.GetValue(batch) is int b && b < 1) throw new WbcNcaException($"--batch-size must be ≥ 1 (got {b})");
            if (parse.GetValue(limit) is int l && l < 0) throw new WbcNcaException($"--limit-per-class must be ≥ 0 (0 = all) (got {l})");
            if (parse.GetValue(fold) is int f)
            {
                int k = parse.GetValue(folds);
                if (k < 2) throw new WbcNcaException($"--folds must be ≥ 2 (got {k})");
                if (f < 0 || f >= k) throw new WbcNcaException($"--fold must be in 0..{k - 1} (got {f})");
            }
            string? normName = parse.GetValue(normalization);
            bool ownStatistics = normName is not null && normName.Trim().Equals(DatasetNormalization, StringComparison.OrdinalIgnoreCase);
            Normalization? given = normName is null ? null : ownStatistics ? new Normalization(DatasetNormalization, [], []) : CommonOptions.ParseNormalization(normName);
            var dev = CommonOptions.Setup(parse.GetValue(device)!, parse.GetValue(threads));
            string modelPath = CommonOptions.ResolveModel(parse.GetValue(model));
            ModelBundle bundle = ModelFile.Load(modelPath, dev);
            Normalization norm = given ?? bundle.Normalization;
            Dataset set = DatasetReader.Open(parse.GetValue(dataset)!, parse.GetValue(data)!);
            if (Evaluator.ClassMismatch(bundle.Classes, set.Level) is string mismatch) throw WbcNcaException.ForFile(modelPath, mismatch);
            Console.Error.Write(set.Summary());
            var items = TrainRun.Subset(set.Items, parse.GetValue(limit), parse.GetValue(splitSeed));
            IReadOnlyList<int> indices = Enumerable.Range(0, items.Count).ToArray();
            if (parse.GetValue(fold) is int testFold)
                indices = StratifiedKFold.Split(items, parse.GetValue(folds), parse.GetValue(splitSeed)).TrainTest(testFold).Test;
            var report = Run(bundle, set, items, indices, norm, maskSeeds, parse.GetValue(batch), dev, parse.GetValue(threads) ?? Environment.ProcessorCount,
                CommonOptions.SkipBadImages(parse, onBad), CommonOptions.ParseEngine(parse, engine, dev), sampleCount, out IReadOnlyList<LabeledImage> used);
            if (parse.GetValue(limit) > 0 && parse.GetValue(fold) is null)
            {
                // A capped subset is nearly balanced: also estimate the accuracy at the whole set's class mix.
                var counts = new long[CellClasses.Names(set.Level).Count];
                foreach (var item in set.Items) counts[item.Label]++;
                report = report with { Population = PopulationEstimate.From(report.PerSeed, counts) };
            }
            if (parse.GetValue(outJson) is string o) AtomicFile.WriteAllText(o, report.ToJson());
            if (parse.GetValue(png) is string p) Plots.Confusion(report.Fine.Confusion, p, $"{set.Name} ({report.Fine.Level})");
            if (parse.GetValue(reliabilityPng) is string rp)
            {
                if (double.IsNaN(report.Confidence!.EceBefore)) throw new WbcNcaException($"--reliability-png: the model's classes are not the labels of {set.Name} ({report.Fine.Level} level), so there is no calibration to draw");
                Plots.Reliability(report.Confidence, rp, set.Name);
            }
            if (parse.GetValue(coveragePng) is string cp) Plots.Coverage(report.Confidence!, cp, $"{set.Name} ({report.Fine.Level})");
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

    /// <summary><c>--normalization dataset</c>: the evaluated images' own statistics.</summary>
    public const string DatasetNormalization = "dataset";

    /// <summary>Decodes the items and evaluates; an unreadable image stops it with an error naming the image.</summary>
    public static EvaluationReport Run(ModelBundle bundle, Dataset set, IReadOnlyList<LabeledImage> items, IReadOnlyList<int> indices, Normalization norm,
        IReadOnlyList<long> maskSeeds, int batchSize, TorchSharp.torch.Device device, int threads) =>
        Run(bundle, set, items, indices, norm, maskSeeds, batchSize, device, threads, skipUnreadable: false, Engines.NcaEngines.For(device), out _);

    /// <summary>
    /// Decodes the items and evaluates. With <paramref name="skipUnreadable"/> an image that cannot be decoded is reported
    /// on stderr and left out; <paramref name="used"/> are the images evaluated. Classes with no image are named on stderr.
    /// An NCA runs on <paramref name="engine"/>.
    /// </summary>
    public static EvaluationReport Run(ModelBundle bundle, Dataset set, IReadOnlyList<LabeledImage> items, IReadOnlyList<int> indices, Normalization norm,
        IReadOnlyList<long> maskSeeds, int batchSize, TorchSharp.torch.Device device, int threads, bool skipUnreadable, Engines.NcaEngine engine,
        out IReadOnlyList<LabeledImage> used) =>
        Run(bundle, set, items, indices, norm, maskSeeds, batchSize, device, threads, skipUnreadable, engine, samples: 1, out used);

    /// <summary>
    /// As <see cref="Run(ModelBundle, Dataset, IReadOnlyList{LabeledImage}, IReadOnlyList{int}, Normalization, IReadOnlyList{long}, int, TorchSharp.torch.Device, int, bool, Engines.NcaEngine, out IReadOnlyList{LabeledImage})"/>,
    /// with the probabilities of <paramref name="samples"/> mask draws averaged for each seed (see <see cref="Evaluator.Evaluate"/>).
    /// </summary>
    public static EvaluationReport Run(ModelBundle bundle, Dataset set, IReadOnlyList<LabeledImage> items, IReadOnlyList<int> indices, Normalization norm,
        IReadOnlyList<long> maskSeeds, int batchSize, TorchSharp.torch.Device device, int threads, bool skipUnreadable, Engines.NcaEngine engine,
        int samples, out IReadOnlyList<LabeledImage> used)
    {
        LabeledImage[] chosen = indices.Select(i => items[i]).ToArray();
        var cache = ImageCache.Load(chosen, bundle.Spec.ImageSize, threads, skipUnreadable: skipUnreadable, preprocessing: bundle.Preprocessing);
        if (bundle.Preprocessing.NeedsLocator && cache.CellsNotFound > 0)
            Console.Error.WriteLine($"note: no cell found in {cache.CellsNotFound} of {cache.Count} image(s); they were evaluated whole");
        foreach (var rejected in cache.Rejected) CliRunner.WriteWarning(Console.Error, $"skipped {rejected.Message}");
        if (cache.Rejected.Count > 0) Console.Error.WriteLine($"{cache.Count} image(s) evaluated, {cache.Rejected.Count} unreadable image(s) skipped");
        if (cache.Count == 0) throw WbcNcaException.ForFile(set.Root, "no readable image to evaluate");
        var absent = set.ClassNames.Where((_, c) => !cache.Labels.Contains(c)).ToArray();
        if (absent.Length > 0)
            Console.Error.WriteLine($"note: no image of {string.Join(", ", absent)} among the evaluated images: their recall is not measured (balanced accuracy averages the {set.ClassNames.Count - absent.Length} classes present)");
        used = cache.Items;
        if (norm.Name == DatasetNormalization)
        {
            norm = cache.Statistics($"dataset {set.Name}");
            Console.Error.WriteLine($"normalised with the evaluated images' own statistics: {norm}");
        }
        samples = Evaluator.EffectiveSamples(bundle.Model, samples);
        var progress = ProgressReporter.ForItems("evaluating", (long)cache.Count * maskSeeds.Count * samples);
        int last = 0;
        var report = Evaluator.Evaluate(bundle, cache, Enumerable.Range(0, cache.Count).ToArray(), norm, maskSeeds, batchSize, device,
            coarse: set.Level == LabelLevel.Coarse, progress: d => { progress.Advance(d - last); last = d; }, engine: engine, samples: samples);
        progress.Done();
        return report;
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

    /// <summary>Parses "1,2,3" or "1..5".</summary>
    public static long[] ParseSeeds(string text, string option)
    {
        try
        {
            var result = new List<long>();
            foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int dots = part.IndexOf("..", StringComparison.Ordinal);
                if (dots > 0)
                {
                    long a = long.Parse(part[..dots], CultureInfo.InvariantCulture), b = long.Parse(part[(dots + 2)..], CultureInfo.InvariantCulture);
                    for (long s = a; s <= b; s++) result.Add(s);
                }
                else result.Add(long.Parse(part, CultureInfo.InvariantCulture));
            }
            if (result.Count == 0) throw new FormatException("empty");
            return result.ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new WbcNcaException($"{option}: expected comma-separated integers or a range like 1..5 (got '{text}')");
        }
    }


    private static void Write(EvaluationReport report, string name)
    {
        foreach (var m in new[] { report.Fine, report.Coarse, report.FiveTypes })
        {
            if (m is null) continue;
            var (acc, accStd) = report.OverSeeds(x => x.Accuracy);
            string level = m == report.FiveTypes
                ? $"five main types only (arg-max over their classes), {m.N / report.MaskSeeds.Count} images of those types"
                : $"{m.Level} level, {report.Images} images";
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]{Markup.Escape(name)}[/], {level}, normalisation {report.Normalization}, {report.MaskSeeds.Count} mask seed(s){(report.Samples > 1 ? $" × {report.Samples} averaged mask draws" : "")}: accuracy [bold]{m.Accuracy:0.0000}[/]{(m == report.Fine && report.MaskSeeds.Count > 1 ? $" ± {accStd:0.0000}" : "")}, balanced accuracy {m.BalancedAccuracy:0.0000}, macro-F1 {m.MacroF1:0.0000}"));
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
