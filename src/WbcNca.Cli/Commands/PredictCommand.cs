using System.CommandLine;
using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.IO;
using WbcNca.Runs;

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
        var views = CommonOptions.Views();
        var seed = CommonOptions.MaskSeed();
        var probability = CommonOptions.UpdateProbability();
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass", DefaultValueFactory = _ => 16 };
        var normalization = CommonOptions.NormalizationOverride();
        var labAnchors = CommonOptions.LabAnchors();
        var reviewBelow = new Option<double?>("--review-below") { Description = "Send cells whose calibrated confidence is below this to review (0 = never) [default: the model's, chosen on its validation part]" };
        var maxSpread = new Option<double?>("--max-spread") { Description = "Send cells whose top-class spread over --samples runs is above this to review [default: the model's, 0.15]" };
        var maxDistance = new Option<double?>("--max-distance") { Description = "Send cells farther than this from every class the model learnt (its feature distance) to review (0 = never) [default: the model's, chosen on its validation part; see 'wbc-nca calibrate']" };
        var sample = new Option<string?>("--sample") { Description = "Treat all images as one sample of this name and print its differential count (count and percent per class and main type; review and not-a-cell apart)" };
        var samplePerFolder = new Option<bool>("--sample-per-folder") { Description = "Each folder of images is one sample (named after the folder); print a differential count per sample" };
        var counts = new Option<string?>("--counts") { Description = "Also write the differential counts to this .csv or .json file" };
        var onBad = CommonOptions.OnBadImage();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var engine = CommonOptions.Engine();
        var shard = new Option<string?>("--shard") { HelpName = "I/N", Description = "Classify only part I of N of the images, as I/N (0 ≤ I < N): the part a hash of each image's absolute path names, whatever the order of the inputs" };
        var slurm = new Option<int?>("--slurm") { HelpName = "N", Description = "Submit the prediction to Slurm as N parts (an array job of predict --shard I/N, JSON Lines per part) and a job that joins them into --out" };
        var oneCell = new Option<bool>("--one-cell") { Description = "One answer per image even when it holds several white cells (without it each white cell of a microscope field gets its own answer, box and row)" };
        var outFolder = new Option<string?>("--out", "-o") { HelpName = "folder", Description = "Folder to write (with --slurm: the plan, job scripts, logs, parts, and the joined predictions.jsonl and counts)" };
        var jobs = new SlurmCliOptions();

        var command = new Command("predict", "Classify white blood cell images")
        {
            inputs, model, json, samples, views, seed, probability, batch, normalization, labAnchors, reviewBelow, maxSpread, maxDistance, sample, samplePerFolder, counts, onBad, device, threads, engine,
            oneCell, shard, slurm, outFolder,
        };
        jobs.AddTo(command);
        command.SetAction(parse =>
        {
            // Every option is checked before libtorch starts, the model loads and the folders are searched.
            var options = new PredictOptions(parse.GetValue(samples) ?? 1, parse.GetValue(seed), parse.GetValue(probability), parse.GetValue(batch), parse.GetValue(oneCell), parse.GetValue(views)).Validate();
            foreach (var (option, value) in new[] { (reviewBelow, parse.GetValue(reviewBelow)), (maxSpread, parse.GetValue(maxSpread)), (maxDistance, parse.GetValue(maxDistance)) })
            {
                if (value is not double v) continue;
                try
                {
                    (option == reviewBelow ? DecisionRule.Default with { ReviewBelow = v }
                        : option == maxSpread ? DecisionRule.Default with { MaxSpread = v } : DecisionRule.Default with { MaxFeatureDistance = v }).Validate();
                }
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
            InputShard? part = parse.GetValue(shard) is string shardText ? InputShard.Parse(shardText) : null;
            int? parts = parse.GetValue(slurm);
            SlurmOptions? slurmOptions = jobs.Read(parse, parts is not null, "--slurm N");
            if (parts is int n)
            {
                if (n < 1) throw new WbcNcaException($"--slurm must be ≥ 1 parts (got {n})");
                if (part is not null) throw new WbcNcaException("--shard and --slurm: give one of them (the Slurm tasks take their part themselves)");
                if (countsPath is not null) throw new WbcNcaException("--counts: with --slurm, the job that joins the parts writes counts.csv and counts.json into --out");
                string outDir = parse.GetValue(outFolder) ?? throw new WbcNcaException("--slurm: give --out, the folder for the parts and the joined predictions");
                var passed = new List<string> { "--model", Path.GetFullPath(CommonOptions.ResolveModel(parse.GetValue(model))) };
                if (normName is not null) passed.AddRange(["--normalization", File.Exists(normName) ? Path.GetFullPath(normName) : normName]);
                if (parse.GetValue(labAnchors) is string lab) passed.AddRange(["--lab-anchors", Path.GetFullPath(lab)]);
                foreach (Option option in new Option[] { samples, views, seed, probability, batch, reviewBelow, maxSpread, maxDistance, onBad, device, engine, oneCell })
                    if (parse.GetResult(option) is { Implicit: false } explicitly)
                        passed.AddRange([option.Name, .. explicitly.Tokens.Select(t => t.Value)]);
                if (parse.GetValue(device)!.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && slurmOptions!.Gres is null)
                    CliRunner.WriteWarning(Console.Error, "--device cuda without --gres: the tasks may run on nodes without a GPU (e.g. --gres gpu:1)");
                return Submit(new ShardedPrediction(Path.GetFullPath(outDir), n, parse.GetValue(inputs)!.Select(Path.GetFullPath).ToArray(), passed, sampleName, perFolder),
                    slurmOptions!, parse.GetValue(jobs.DryRun), parse.GetValue(jobs.Wait));
            }
            if (parse.GetValue(outFolder) is string stray) throw new WbcNcaException($"--out {stray}: applies with --slurm only (predict prints its answers)");

            var dev = CommonOptions.Setup(parse.GetValue(device)!, parse.GetValue(threads));
            string modelPath = CommonOptions.ResolveModel(parse.GetValue(model));
            List<string> files = InputFiles.Expand(parse.GetValue(inputs)!);
            if (part is not null)
            {
                int all = files.Count;
                files = part.Select(files);
                if (files.Count == 0)
                {
                    Console.Error.WriteLine($"part {part} holds none of the {all} image(s)");
                    return 0;
                }
            }
            ModelBundle bundle = CommonOptions.WithLabAnchors(ModelFile.Load(modelPath), parse.GetValue(labAnchors));
            var averaging = CommonOptions.Averaging(parse, samples, views, bundle);
            options = options with { Samples = averaging.Samples, Views = averaging.Views };
            CommonOptions.WarnAboutUpdateProbability(bundle, parse.GetValue(probability));
            Normalization norm = given ?? bundle.Normalization;
            var engineKind = CommonOptions.ParseEngine(parse, engine, dev);
            var predictor = new Predictor(bundle, dev, engineKind);
            var preprocessor = bundle.Preprocessor(norm);
            DecisionRule decision = bundle.Decision with
            {
                ReviewBelow = parse.GetValue(reviewBelow) ?? bundle.Decision.ReviewBelow,
                MaxSpread = parse.GetValue(maxSpread) ?? bundle.Decision.MaxSpread,
                MaxFeatureDistance = parse.GetValue(maxDistance) ?? bundle.Decision.MaxFeatureDistance,
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
            using var results = FilePredictions.ByImage(FilePredictions.Run(predictor, preprocessor, files, options, skipBad, decision: decision)).GetEnumerator();
            bool withUncertainty = options.Samples > 1 && bundle.Model.IsStochastic;
            while (true)
            {
                IReadOnlyList<FilePrediction> cells;
                try
                {
                    if (!results.MoveNext()) break;
                    cells = results.Current;
                }
                catch (WbcNcaException e) when (classified > 0)
                {
                    // The rows above are already out: say that the run stopped after them, not that nothing was done.
                    throw new WbcNcaException($"{e.Message} (stopped there: the {classified} image(s) above were classified; --on-bad-image skip goes on past unreadable images)");
                }
                if (cells[0].Prediction is null)
                {
                    skipped++;
                    CliRunner.WriteWarning(Console.Error, $"skipped {cells[0].Error!.Message}");
                }
                else
                {
                    classified++;
                    if (asJson) Console.Out.WriteLine(JsonSerializer.Serialize(PredictionJson.CreateImage(cells, withUncertainty)));
                    else foreach (FilePrediction r in cells) table!.Write(r.CellsInImage > 1 ? $"{r.Path} #{r.Cell + 1}" : r.Path, r.Prediction!, r.Location, r.Status);
                    if (sampleName is not null || perFolder)
                    {
                        string key = sampleName ?? DifferentialCount.SampleOfFolder(cells[0].Path);
                        if (!bySample.TryGetValue(key, out var list)) bySample[key] = list = [];
                        list.AddRange(cells.Select(r => (r.Prediction!, r.Status)));
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


    // predict --slurm N: the plan into its folder (the same plan again resubmits only the parts without output), the scripts, the jobs.
    private static int Submit(ShardedPrediction plan, SlurmOptions options, bool dryRun, bool wait)
    {
        if (!dryRun && !Sbatch.IsInstalled)
            throw new WbcNcaException("--slurm: Slurm's sbatch is not on the PATH (run this on the cluster's login node; --dry-run writes the job scripts without it)");
        int images = InputFiles.Expand(plan.Inputs).Count;
        if (ShardedPrediction.TryLoad(plan.Root) is { } existing && !existing.SamePlanAs(plan))
            throw WbcNcaException.ForFile(Path.Combine(plan.Root, ShardedPrediction.FileName), "the folder holds another prediction (other inputs, parts or options); choose another --out");
        plan.Save();
        var todo = plan.Unfinished;
        Console.Error.WriteLine($"{images} image(s) in {plan.Shards} part(s); {plan.Shards - todo.Count} part(s) complete, {todo.Count} to run");
        if (todo.Count == 0) return Collect(plan);
        var (program, environment) = JobProgram.Current();
        var (tasks, collector) = plan.SlurmJobs(todo, options, program, environment);
        var submitted = SlurmSubmission.Run(tasks, collector, dryRun, $"{todo.Count} part(s)");
        if (submitted is null || !wait) return 0;
        SlurmSubmission.Wait(submitted.Value);
        return Collect(plan);
    }

    /// <summary>Joins the parts of <paramref name="plan"/> and prints the differential counts; 0 when every part was complete.</summary>
    public static int Collect(ShardedPrediction plan)
    {
        var (joined, counts) = plan.Merge();
        Console.Error.WriteLine($"joined {plan.Shards} part(s): {joined} image(s) in {plan.Output}" + (counts.Count > 0 ? $"; counts in {plan.CountsCsv} and {plan.CountsJson}" : ""));
        foreach (var d in counts) WriteCounts(d);
        return 0;
    }

    /// <summary>Prints a sample's differential count (classes and main types with a count, in percent) on standard output.</summary>
    public static void WriteCounts(DifferentialCount d)
    {
        Console.Out.WriteLine();
        Console.Out.WriteLine($"differential count of {d.Sample}: {d.Answered} answered, {d.Review} to review, {d.NotACell} not a cell ({d.Total} cells)");
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
