using System.Globalization;
using System.CommandLine;
using WbcNca.Checkpoints;
using WbcNca.Explainability;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.IO;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca explain [--model M] IMAGE|FOLDER... --out DIR</c>: per image a figure (PNG) and the numbers (JSON) of its
/// explanation — channel relevances by ε-LRP, the top channels' maps, where the model looks — and one self-contained HTML
/// report for the whole set, plus <c>summary.json</c> with the focus per image and per predicted class.
/// </summary>
public static class ExplainCommand
{
    /// <summary>Name of the HTML report in the output folder.</summary>
    public const string ReportFile = "report.html";

    /// <summary>Name of the focus summary in the output folder.</summary>
    public const string SummaryFile = "summary.json";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var inputs = CommonOptions.Images();
        var model = CommonOptions.Model();
        var output = CommonOptions.Out("Folder", "figures, JSON files and report.html; created if needed");
        var top = new Option<int>("--top") { Description = "Number of most relevant channels to show and score", DefaultValueFactory = _ => 5 };
        var epsilon = new Option<double>("--epsilon") { Description = "The LRP rule's ε; 0 conserves relevance exactly (up to the biases' share)", DefaultValueFactory = _ => 0.0 };
        var target = new Option<string?>("--class") { Description = "Class to explain, by name or index [default: the predicted class]" };
        var cell = new Option<int>("--cell") { Description = "Which white cell of a field (an image with several cells) to explain, counted from 1 as predict's rows #1, #2, …", DefaultValueFactory = _ => 1 };
        var samples = CommonOptions.Samples();
        var views = CommonOptions.Views();
        var seed = CommonOptions.MaskSeed();
        var probability = CommonOptions.UpdateProbability();
        var evolution = new Option<int>("--evolution-every") { Description = "Also show the top channels' maps every N steps (0: final state only)", DefaultValueFactory = _ => 0 };
        var maskSignal = new Option<string>("--mask-signal") { Description = "Signal of the Otsu cell mask: blue-minus-green, inverse-green or saturation", DefaultValueFactory = _ => "blue-minus-green" };
        maskSignal.AcceptOnlyFromAmong("blue-minus-green", "inverse-green", "saturation");
        var panel = new Option<int>("--panel-size") { Description = "Side of each image panel in the figures, in pixels", DefaultValueFactory = _ => 128 };
        var normalization = CommonOptions.NormalizationOverride();
        var labAnchors = CommonOptions.LabAnchors();
        var onBad = CommonOptions.OnBadImage();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();

        var command = new Command("explain", "Explain predictions: channel relevance (ε-LRP), channel maps, where the model looks; figures, JSON and an HTML report")
        {
            inputs, model, output, top, epsilon, target, cell, samples, views, seed, probability, evolution, maskSignal, panel, normalization, labAnchors, onBad, device, threads,
        };
        command.SetAction(parse =>
        {
            var dev = CommonOptions.Setup(parse.GetValue(device)!, parse.GetValue(threads));
            var run = new PredictOptions(parse.GetValue(samples) ?? 1, parse.GetValue(seed), parse.GetValue(probability)).Validate();
            int panelSize = parse.GetValue(panel);
            if (panelSize < 32 || panelSize > 1024) throw new WbcNcaException($"--panel-size must be in 32..1024 (got {panelSize})");
            List<string> files = InputFiles.Expand(parse.GetValue(inputs)!);
            string modelPath = CommonOptions.ResolveModel(parse.GetValue(model));
            ModelBundle bundle = CommonOptions.WithLabAnchors(ModelFile.Load(modelPath), parse.GetValue(labAnchors));
            if (!bundle.IsNca) throw WbcNcaException.ForFile(modelPath, $"is a {bundle.Spec.Arch} model; only NCA models can be explained (their channel maps are what the explanation shows)");
            var averaging = CommonOptions.Averaging(parse, samples, views, bundle);
            run = run with { Samples = averaging.Samples, Views = averaging.Views };
            CommonOptions.WarnAboutUpdateProbability(bundle, parse.GetValue(probability));
            string? normName = parse.GetValue(normalization);
            Normalization? norm = normName is null ? null : CommonOptions.ParseNormalization(normName);
            var options = new ExplainOptions(parse.GetValue(top), parse.GetValue(epsilon), ParseClass(parse.GetValue(target), bundle.Classes),
                parse.GetValue(evolution), ParseSignal(parse.GetValue(maskSignal)!), Cell: CellIndex(parse.GetValue(cell))).Validate(bundle.Classes.Count);
            string outDir = parse.GetValue(output)!;
            try { Directory.CreateDirectory(outDir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw WbcNcaException.ForFile(outDir, $"cannot create the output folder ({e.Message})"); }

            var explainer = new Explainer(bundle, dev, norm);
            bool skipBad = CommonOptions.SkipBadImages(parse, onBad);
            var facts = Facts(modelPath, bundle, options, run, norm ?? bundle.Normalization);
            var report = new HtmlReport($"WBC-NCA explanations ({files.Count} image{(files.Count == 1 ? "" : "s")})", bundle.Classes, facts);
            var focus = new List<ImageFocus>();
            var skipped = new List<string>();
            var names = new UniqueNames();
            var progress = ProgressReporter.ForItems("explaining", files.Count, minimum: 8);
            foreach (string file in files)
            {
                Explanation e;
                try { e = explainer.Explain(file, options, run); }
                catch (ImageLoadException ex) when (skipBad)
                {
                    skipped.Add(ex.Message);
                    CliRunner.WriteWarning(Console.Error, $"skipped {ex.Message}");
                    progress.Advance(1);
                    continue;
                }
                string stem = names.For(file);
                byte[] png = ExplanationFigure.RenderPng(e, bundle.Classes, panelSize);
                AtomicFile.WriteAllBytes(Path.Combine(outDir, stem + ".png"), png);
                AtomicFile.WriteAllText(Path.Combine(outDir, stem + ".json"), ExplanationJson.Write(e, bundle.Classes, run.Seed));
                report.Add(new ReportEntry(e, png, stem + ".json"));
                focus.Add(FocusSummary.FromExplanation(e, e.Prediction.Index));
                progress.Advance(1);
                if (files.Count < 8)
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{file}{(e.IsField ? $" #{e.Cell + 1} (of {e.Cells.Count} cells)" : "")}: {e.Prediction.ClassName} {e.Prediction.Confidence:0.000}, top channels {string.Join(" ", e.TopChannels)}, evidence on the cell {100 * e.Focus.Score:0} % (the cell covers {100 * e.Focus.AreaFraction:0} % of the image): {e.Focus.Describe()} -> {Path.Combine(outDir, stem + ".png")}"));
            }
            progress.Done();
            AtomicFile.WriteAllText(Path.Combine(outDir, ReportFile), report.ToHtml(skipped));
            AtomicFile.WriteAllText(Path.Combine(outDir, SummaryFile), ExplanationJson.Write(FocusSummary.FromImages(focus, bundle.Classes, skipped)));
            Console.Out.WriteLine($"{report.Count} image(s) explained{(skipped.Count > 0 ? $", {skipped.Count} unreadable image(s) skipped" : "")}; report: {Path.Combine(outDir, ReportFile)}");
            if (!ExplanationFigure.TextAvailable)
                Console.Error.WriteLine("note: no usable font found, the figures have no labels (the numbers are in the JSON files and the report)");
            return 0;
        });
        return command;
    }

    /// <summary>Parses <c>--class</c>: a class name (case-insensitive) or an index; null stays null (the predicted class).</summary>
    public static int? ParseClass(string? value, IReadOnlyList<string> classes)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        for (int i = 0; i < classes.Count; i++)
            if (string.Equals(classes[i], value.Trim(), StringComparison.OrdinalIgnoreCase)) return i;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int index) && index >= 0 && index < classes.Count) return index;
        throw new WbcNcaException($"--class: '{value}' is neither a class of the model nor an index 0..{classes.Count - 1} (classes: {string.Join(", ", classes)})");
    }

    /// <summary>The index of <c>--cell N</c> (counted from 1 on the command line, from 0 in the library).</summary>
    private static int CellIndex(int number) => number >= 1 ? number - 1 : throw new WbcNcaException($"--cell must be ≥ 1 (got {number})");

    private static StainSignal ParseSignal(string name) => name switch
    {
        "inverse-green" => StainSignal.InverseGreen,
        "saturation" => StainSignal.Saturation,
        _ => StainSignal.BlueMinusGreen,
    };


    private static List<KeyValuePair<string, string>> Facts(string modelPath, ModelBundle bundle, ExplainOptions options, PredictOptions run, Normalization norm)
    {
        var c = bundle.Config;
        double p = run.UpdateProbability ?? c.UpdateProbability;
        var facts = new List<KeyValuePair<string, string>>
        {
            new("model", Path.GetFileName(modelPath)),
            new("configuration", string.Create(CultureInfo.InvariantCulture, $"n = {c.Channels} channels, k = {c.Steps} steps, {c.ImageSize}×{c.ImageSize} input, fire rate {c.UpdateProbability}, {bundle.Classifier.ParameterCount:N0} parameters")),
            new("normalisation", norm.ToString()),
            new("runs", p >= 1 ? "1 (update probability 1: deterministic)" : string.Create(CultureInfo.InvariantCulture, $"{run.Samples} stochastic run(s), masks from seed {run.Seed}, update probability {p}")),
            new("relevance", string.Create(CultureInfo.InvariantCulture, $"ε-LRP, ε = {options.Epsilon}, {(options.TargetClass is int t ? $"class {bundle.Classes[t]}" : "predicted class")}, top {options.Top} channels")),
            new("cell mask", $"Otsu threshold on {options.Signal}"),
        };
        foreach (var (k, v) in bundle.Provenance) facts.Add(new($"provenance: {k}", v));
        return facts;
    }

    /// <summary>Output names from image file names, made unique with a numeric suffix.</summary>
    private sealed class UniqueNames
    {
        private readonly HashSet<string> used = new(StringComparer.OrdinalIgnoreCase) { "report", "summary" };

        public string For(string path)
        {
            string stem = string.Concat(Path.GetFileNameWithoutExtension(path).Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_'));
            if (stem.Length == 0) stem = "image";
            string name = stem;
            for (int k = 2; !used.Add(name); k++) name = $"{stem}-{k}";
            return name;
        }
    }
}
