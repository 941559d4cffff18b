using System.CommandLine;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.IO;
using WbcNca.Training;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca stats FOLDER… --out lab.json [--model M]</c>: a lab's colour statistics (per-channel mean and standard
/// deviation) from its unlabelled images, framed and colour-mapped as the model frames its inputs, for
/// <c>--normalization lab.json</c> in evaluate and predict.
/// </summary>
public static class StatsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("images") { Description = "Image files or folders (searched recursively) of one lab; labels are not needed", Arity = ArgumentArity.OneOrMore };
        var output = CommonOptions.Out("Statistics file", "JSON: name, mean, std, images");
        var name = new Option<string?>("--name") { Description = "Name stored in the file [default: the file's name]" };
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var onBad = CommonOptions.OnBadImage();
        var command = new Command("stats", "Measure a lab's colour statistics from its unlabelled images (after the model's framing), for --normalization lab.json")
        {
            inputs, output, name, model, threads, onBad,
        };
        command.SetAction(parse =>
        {
            Runtime.TorchRuntime.Initialize(parse.GetValue(threads));
            string outPath = parse.GetValue(output)!;
            ModelBundle bundle = ModelFile.Load(CommonOptions.ResolveModel(parse.GetValue(model)));
            List<string> files = InputFiles.Expand(parse.GetValue(inputs)!);
            var items = files.Select(f => new LabeledImage(f, f, 0, LabelLevel.Fine, "stats")).ToArray();
            var progress = ProgressReporter.ForItems("measuring", items.Length);
            int last = 0;
            ImageCache cache = ImageCache.Load(items, bundle.Spec.ImageSize, parse.GetValue(threads) ?? Environment.ProcessorCount,
                d => { lock (progress) { if (d > last) { progress.Advance(d - last); last = d; } } },
                CommonOptions.SkipBadImages(parse, onBad), bundle.Preprocessing, locate: true);
            progress.Done();
            foreach (var rejected in cache.Rejected) CliRunner.WriteWarning(Console.Error, $"skipped {rejected.Message}");
            if (cache.Count == 0) throw new WbcNcaException($"{outPath}: no readable image to measure");
            Imaging.Normalization stats = cache.Statistics(parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(outPath));
            // The lab's anchor colours as the locator measures them in each readable image (the colour mappings' references).
            Imaging.LabAnchors anchors = Imaging.LabAnchors.From(cache.Locations!);
            AtomicFile.WriteAllText(outPath, stats.ToJson(new Dictionary<string, object>
            {
                ["images"] = cache.Count,
                ["image_size"] = bundle.Spec.ImageSize,
                ["preprocessing"] = System.Text.Json.JsonDocument.Parse(bundle.Preprocessing.ToJson()).RootElement,
                ["anchors"] = anchors.ToJsonObject(),
            }) + "\n");
            Console.Out.WriteLine($"wrote {outPath}: {stats} from {cache.Count} image(s) ({bundle.Preprocessing})");
            Console.Out.WriteLine($"anchor colours: {anchors}");
            return 0;
        });
        return command;
    }
}
