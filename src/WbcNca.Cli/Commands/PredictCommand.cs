using System.CommandLine;
using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.IO;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca predict [--model M] IMAGE|FOLDER...</c>: classifies cell images, as a table or as JSON lines.</summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var inputs = CommonOptions.Images();
        var model = CommonOptions.Model();
        var json = CommonOptions.Json("Print one JSON object per image and line instead of a table (path, class, confidence, classes, probabilities and logits in the order of classes, status, …)");
        var samples = CommonOptions.Samples();
        var seed = CommonOptions.MaskSeed();
        var probability = CommonOptions.UpdateProbability();
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass", DefaultValueFactory = _ => 16 };
        var normalization = CommonOptions.NormalizationOverride();
        var reviewBelow = new Option<double?>("--review-below") { Description = "Send cells whose calibrated confidence is below this to review (0 = never) [default: the model's, chosen on its validation part]" };
        var maxSpread = new Option<double?>("--max-spread") { Description = "Send cells whose top-class spread over --samples runs is above this to review [default: the model's, 0.15]" };
        var sample = new Option<string?>("--sample") { Description = "Treat all images as one sample of this name and print its differential count (count and percent per class and main type; review and not-a-cell apart)" };
        var samplePerFolder = new Option<bool>("--sample-per-folder") { Description = "Each folder of images is one sample (named after the folder); print a differential count per sample" };
        var counts = new Option<string?>("--counts") { Description = "Also write the differential counts to this .csv or .json file" };
        var onBad = CommonOptions.OnBadImage();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var engine = CommonOptions.Engine();

        var command = new Command("predict", "Classify white blood cell images")
        {
            inputs, model, json, samples, seed, probability, batch, normalization, reviewBelow, maxSpread, sample, samplePerFolder, counts, onBad, device, threads, engine,
        };
        command.SetAction(parse =>
        {
            // Every option is checked before libtorch starts, the model loads and the folders are searched.
            var options = new PredictOptions(parse.GetValue(samples), parse.GetValue(seed), parse.GetValue(probability), parse.GetValue(batch)).Validate();
            foreach (var (option, value) in new[] { (reviewBelow, parse.GetValue(reviewBelow)), (maxSpread, parse.GetValue(maxSpread)) })
            {
                if (value is not double v) continue;
                try { (option == reviewBelow ? DecisionRule.Default with { ReviewBelow = v } : DecisionRule.Default with { MaxSpread = v }).Validate(); }
                catch (JsonException e) { throw new WbcNcaException($"{option.Name}: {e.Message}"); }
            }
            string? sampleName = parse.GetValue(sample);
            bool perFolder = parse.GetValue(samplePerFolder);
            if (sampleName is not null && perFolder) throw new WbcNcaException("--sample and --sample-per-folder: give one of them");
            string? countsPath = parse.GetValue(counts);
            if (countsPath is not null && !countsPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && !countsPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                throw new WbcNcaException($"--counts {countsPath}: expected a .csv or .json file");
            if (countsPath is not null && sampleName is null && !perFolder) sampleName = "sample";
            string? normName = parse.GetValue(normalization);
            Normalization? given = normName is null ? null : CommonOptions.ParseNormalization(normName);

            var dev = CommonOptions.Setup(parse.GetValue(device)!, parse.GetValue(threads));
            string modelPath = CommonOptions.ResolveModel(parse.GetValue(model));
            List<string> files = InputFiles.Expand(parse.GetValue(inputs)!);
            ModelBundle bundle = ModelFile.Load(modelPath);
            CommonOptions.WarnAboutUpdateProbability(bundle, parse.GetValue(probability));
            Normalization norm = given ?? bundle.Normalization;
            var engineKind = CommonOptions.ParseEngine(parse, engine, dev);
            var predictor = new Predictor(bundle, dev, engineKind);
            var preprocessor = bundle.Preprocessor(norm);
            DecisionRule decision = bundle.Decision with
            {
                ReviewBelow = parse.GetValue(reviewBelow) ?? bundle.Decision.ReviewBelow,
                MaxSpread = parse.GetValue(maxSpread) ?? bundle.Decision.MaxSpread,
            };
            var bySample = new SortedDictionary<string, List<(Prediction, AnswerStatus)>>(StringComparer.Ordinal);
            bool skipBad = CommonOptions.SkipBadImages(parse, onBad);
            bool asJson = parse.GetValue(json);
            PredictionTable? table = asJson ? null : new PredictionTable(Console.Out, bundle.Classes, files.Max(f => f.Length),
                options.Samples > 1 && bundle.Model.IsStochastic && (options.UpdateProbability ?? bundle.Spec.Nca!.UpdateProbability) < 1,
                withCell: bundle.Preprocessing.NeedsLocator);
            table?.WriteHeader();

            // Streams: each chunk of images is decoded, classified and printed before the next is read.
            int classified = 0, skipped = 0;
            var progress = ProgressReporter.ForItems("predicting", files.Count);
            using var results = FilePredictions.Run(predictor, preprocessor, files, options, skipBad, decision: decision).GetEnumerator();
            while (true)
            {
                FilePrediction r;
                try
                {
                    if (!results.MoveNext()) break;
                    r = results.Current;
                }
                catch (WbcNcaException e) when (classified > 0)
                {
                    // The rows above are already out: say that the run stopped after them, not that nothing was done.
                    throw new WbcNcaException($"{e.Message} (stopped there: the {classified} image(s) above were classified; --on-bad-image skip goes on past unreadable images)");
                }
                if (r.Prediction is null)
                {
                    skipped++;
                    CliRunner.WriteWarning(Console.Error, $"skipped {r.Error!.Message}");
                }
                else
                {
                    classified++;
                    if (asJson) Console.Out.WriteLine(ToJson(r.Path, r.Prediction, options.Samples > 1 && bundle.Model.IsStochastic, r.Location, (r.Status, r.Reason)));
                    else table!.Write(r.Path, r.Prediction, r.Location, r.Status);
                    if (sampleName is not null || perFolder)
                    {
                        string key = sampleName ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(r.Path))) ?? "";
                        if (!bySample.TryGetValue(key, out var list)) bySample[key] = list = [];
                        list.Add((r.Prediction, r.Status));
                    }
                }
                progress.Advance(1);
            }
            progress.Done();
            if (skipped > 0)
                Console.Error.WriteLine($"{classified} image(s) classified, {skipped} unreadable image(s) skipped");
            var differential = bySample.Select(kv => DifferentialCount.From(kv.Key, bundle.Classes, kv.Value)).ToList();
            if (!asJson) foreach (var d in differential) WriteCounts(d);
            if (countsPath is not null)
                AtomicFile.WriteAllText(countsPath, countsPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? DifferentialCount.ToCsv(differential) : DifferentialCount.ToJson(differential) + "\n");
            return 0;
        });
        return command;
    }


    private static void WriteCounts(DifferentialCount d)
    {
        Console.Out.WriteLine();
        Console.Out.WriteLine($"differential count of {d.Sample}: {d.Answered} answered, {d.Review} to review, {d.NotACell} not a cell ({d.Total} images)");
        var rows = d.Classes.Select((name, c) => (name, d.Counts[c], d.Percent(c))).Where(r => r.Item2 > 0).ToList();
        if (d.MainTypes() is { } types) rows.AddRange(types.Where(t => t.Count > 0).Select(t => ($"= {t.Type}", t.Count, t.Percent)));
        int width = Math.Max(12, rows.Select(r => r.Item1.Length).DefaultIfEmpty(0).Max());
        foreach (var (name, count, percent) in rows)
            Console.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  {name.PadRight(width)}  {count,6}  {percent,6:0.0} %"));
    }

    /// <summary>One JSON object per image (see <see cref="PredictionJson"/>), index-aligned arrays in the model's class order.</summary>
    public static string ToJson(string path, Prediction p, bool withUncertainty, CellLocation? location = null, (AnswerStatus, string)? status = null) =>
        JsonSerializer.Serialize(PredictionJson.Create(path, p, withUncertainty, location, status));
}
