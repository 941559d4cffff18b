using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using WbcNca.Checkpoints;
using WbcNca.Imaging;
using WbcNca.Inference;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca predict [--model M] IMAGE|FOLDER...</c>: classifies cell images, as a table or as JSON lines.</summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("images") { Description = "Image files and/or folders (searched recursively for .jpg .jpeg .png .bmp .tif .tiff)", Arity = ArgumentArity.OneOrMore };
        var model = CommonOptions.Model();
        var json = CommonOptions.Json("Print one JSON object per image (path, class, index, probabilities, logits, …) instead of a table");
        var samples = new Option<int>("--samples") { Description = "Average this many stochastic runs and report the per-class standard deviation", DefaultValueFactory = _ => 1 };
        var seed = new Option<long>("--seed") { Description = "Seed of the update masks (the same seed gives the same answer)", DefaultValueFactory = _ => 0 };
        var probability = new Option<double?>("--update-probability") { Description = "Override the fire rate p; 1 = every cell at every step (deterministic)" };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass", DefaultValueFactory = _ => 16 };
        var normalization = new Option<string?>("--normalization") { Description = $"Override the model's input normalisation: {string.Join(", ", Normalization.KnownNames)}" };
        var onBad = new Option<string>("--on-bad-image") { Description = "What to do with an unreadable image: fail (stop with an error) or skip (report and go on)", DefaultValueFactory = _ => "fail" };
        onBad.AcceptOnlyFromAmong("fail", "skip");
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var engine = new Option<string>("--engine") { Description = "Backbone engine: fused (C# CPU kernel, default on the CPU) or torch (libtorch, any device)", DefaultValueFactory = _ => "fused" };
        engine.AcceptOnlyFromAmong("fused", "torch");

        var command = new Command("predict", "Classify white blood cell images")
        {
            inputs, model, json, samples, seed, probability, batch, normalization, onBad, device, threads, engine,
        };
        command.SetAction(parse =>
        {
            var dev = CommonOptions.Setup(parse.GetValue(device)!, parse.GetValue(threads));
            var options = new PredictOptions(parse.GetValue(samples), parse.GetValue(seed), parse.GetValue(probability), parse.GetValue(batch)).Validate();
            string modelPath = CommonOptions.ResolveModel(parse.GetValue(model));
            List<string> files = InputFiles.Expand(parse.GetValue(inputs)!);
            ModelBundle bundle = ModelFile.Load(modelPath);
            string? normName = parse.GetValue(normalization);
            Normalization norm = normName is null ? bundle.Normalization : CommonOptions.ParseNormalization(normName);
            var engineKind = Engines.NcaEngines.For(dev, preferTorch: parse.GetValue(engine) == "torch");
            var predictor = new Predictor(bundle, dev, engineKind);
            var preprocessor = new ImagePreprocessor(bundle.Spec.ImageSize, norm);
            bool skipBad = parse.GetValue(onBad) == "skip";
            bool asJson = parse.GetValue(json);

            var rows = new List<(string Path, Prediction P)>();
            var skipped = new List<string>();
            var progress = ProgressReporter.ForItems("predicting", files.Count);
            foreach (var chunk in files.Chunk(options.BatchSize * 4))
            {
                var paths = new List<string>(chunk.Length);
                var images = new List<float[]>(chunk.Length);
                foreach (string f in chunk)
                {
                    try
                    {
                        images.Add(preprocessor.Process(f));
                        paths.Add(f);
                    }
                    catch (ImageLoadException e) when (skipBad)
                    {
                        skipped.Add(e.Message);
                        CliRunner.WriteError(Console.Error, $"skipped {e.Message}");
                    }
                }
                var predictions = predictor.Predict(images, options);
                for (int i = 0; i < paths.Count; i++)
                {
                    if (asJson) Console.Out.WriteLine(ToJson(paths[i], predictions[i], options.Samples > 1 && bundle.Model.IsStochastic));
                    else rows.Add((paths[i], predictions[i]));
                }
                progress.Advance(chunk.Length);
            }
            progress.Done();
            if (!asJson) WriteTable(rows, bundle.Classes, options.Samples > 1 && bundle.Model.IsStochastic && (options.UpdateProbability ?? bundle.Spec.Nca!.UpdateProbability) < 1);
            if (skipped.Count > 0)
                Console.Error.WriteLine($"{(asJson ? files.Count - skipped.Count : rows.Count)} image(s) classified, {skipped.Count} unreadable image(s) skipped");
            return 0;
        });
        return command;
    }


    /// <summary>One JSON object per image (see <see cref="PredictionJson"/>), index-aligned arrays in the model's class order.</summary>
    public static string ToJson(string path, Prediction p, bool withUncertainty) =>
        JsonSerializer.Serialize(PredictionJson.Create(path, p, withUncertainty));

    private static void WriteTable(List<(string Path, Prediction P)> rows, IReadOnlyList<string> classes, bool withUncertainty)
    {
        var table = new Table().AddColumn("image").AddColumn("class").AddColumn(new TableColumn("probability").RightAligned());
        if (withUncertainty) table.AddColumn(new TableColumn("± std").RightAligned());
        table.AddColumn("runner-up");
        foreach (var (path, p) in rows)
        {
            int second = Enumerable.Range(0, p.Probabilities.Length).Where(i => i != p.Index).MaxBy(i => p.Probabilities[i]);
            var cells = new List<string>
            {
                Markup.Escape(path),
                $"[bold]{Markup.Escape(p.ClassName)}[/]",
                Format(p.Confidence),
            };
            if (withUncertainty) cells.Add(Format(p.ProbabilityStd[p.Index]));
            cells.Add(Markup.Escape($"{classes[second]} {Format(p.Probabilities[second])}"));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }

    private static string Format(float v) => v.ToString("0.000", CultureInfo.InvariantCulture);
}
