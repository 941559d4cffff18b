using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using WbcNca.Checkpoints;
using WbcNca.Model;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca info [--model M | --preset P | --arch A]</c>: architecture, config, parameter count, multiply-accumulates, classes, normalisation, provenance.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var preset = new Option<string?>("--preset") { Description = $"Describe a fresh NCA of a preset instead ({string.Join(", ", NcaConfig.PresetNames)})" };
        var arch = new Option<string?>("--arch") { Description = $"Describe a fresh model of an architecture instead ({string.Join(", ", ModelSpec.ArchNames)}; nca with --preset)" };
        arch.AcceptOnlyFromAmong([.. ModelSpec.ArchNames]);
        var json = CommonOptions.Json("Print one JSON object");
        var command = new Command("info", "Show a model's architecture, configuration, parameter count, compute and classes") { model, preset, arch, json };
        command.SetAction(parse =>
        {
            Runtime.TorchRuntime.Initialize();
            string? presetName = parse.GetValue(preset), archName = parse.GetValue(arch);
            ModelDescription d;
            if (presetName is not null || archName is not null)
            {
                ModelSpec spec;
                try { spec = ModelSpec.Default(archName ?? ModelSpec.NcaArch, presetName ?? NcaConfig.DefaultPreset); }
                catch (ArgumentException e) { throw new WbcNcaException($"{(presetName is not null ? "--preset" : "--arch")}: {e.Message}"); }
                var recipe = spec.Arch == ModelSpec.NcaArch ? Training.TrainingRecipe.For(presetName ?? NcaConfig.DefaultPreset) : null;
                d = ModelDescription.Fresh(spec, presetName is not null ? $"preset {presetName}" : $"arch {archName}", recipe);
            }
            else
            {
                string source = CommonOptions.ResolveModel(parse.GetValue(model));
                ModelBundle bundle = ModelFile.Load(source);
                d = ModelDescription.Of(bundle, source);
                bundle.Model.Dispose();
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(d.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return 0;
            }
            WriteText(d);
            return 0;
        });
        return command;
    }

    // A table of single facts, then every fact that is itself a group of options (the training options a model file
    // records, a preset's recipe) as an indented block of "name  value" lines.
    private static void WriteText(ModelDescription d)
    {
        string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var table = new Table().Title($"[bold]{Markup.Escape(d.Source)}[/]").AddColumn("property").AddColumn("value");
        table.AddRow("what it does", Markup.Escape(d.Summary));
        table.AddRow("architecture", d.Spec.Arch);
        table.AddRow("parameters", N(d.Parameters));
        table.AddRow("multiply-accumulates per image", N(d.MultiplyAccumulates));
        if (d.Spec.Nca is NcaConfig config)
        {
            table.AddRow("channels n", config.Channels.ToString(CultureInfo.InvariantCulture));
            table.AddRow("update hidden", config.HiddenSize.ToString(CultureInfo.InvariantCulture));
            table.AddRow("steps k", config.Steps.ToString(CultureInfo.InvariantCulture));
            table.AddRow("update probability p", config.UpdateProbability.ToString(CultureInfo.InvariantCulture));
            table.AddRow("classifier hidden", config.ClassifierHidden.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            foreach (var (k, v) in JsonNode.Parse(d.Spec.ConfigJson())!.AsObject())
                table.AddRow(Markup.Escape($"config: {k}"), Markup.Escape(Plain(v)));
        }
        table.AddRow("image size", $"{d.Spec.ImageSize}×{d.Spec.ImageSize}");
        table.AddRow("classes", Markup.Escape($"{d.Classes.Count}: {string.Join(", ", d.Classes)}"));
        table.AddRow("input", Markup.Escape(d.Preprocessing.ToString()));
        table.AddRow("normalisation", Markup.Escape(d.Normalization?.ToString() ?? "-"));
        if (d.Calibration is { } cal && cal.Temperature != 1)
            table.AddRow("calibration", Markup.Escape($"temperature {cal.Temperature.ToString("0.###", CultureInfo.InvariantCulture)}" + (cal.FittedOn.Length > 0 ? $" (fitted on {cal.FittedOn})" : "")));
        if (d.Averaging is { } averaging) table.AddRow("answers with", Markup.Escape(averaging.ToString()));
        var blocks = new List<(string Title, JsonObject Values)>();
        foreach (var (k, v) in d.TypedProvenance())
        {
            if (v is JsonObject group) blocks.Add((k == "train_options" ? "training options (train_options)" : k, group));
            else table.AddRow(Markup.Escape(k), Markup.Escape(Plain(v)));
        }
        if (d.Recipe is { } recipe)
            foreach (var (k, v) in recipe.Describe()) table.AddRow(Markup.Escape($"recipe: {k}"), Markup.Escape(v));
        AnsiConsole.Write(table);
        foreach (var (title, values) in blocks)
        {
            AnsiConsole.WriteLine();
            AnsiConsole.WriteLine(title);
            WriteBlock(values, "  ");
        }
    }

    private static void WriteBlock(JsonObject values, string indent)
    {
        int width = values.Select(kv => kv.Key.Length).DefaultIfEmpty(0).Max() + 2;
        foreach (var (k, v) in values)
        {
            if (v is JsonObject inner)
            {
                AnsiConsole.WriteLine($"{indent}{k}");
                WriteBlock(inner, indent + "  ");
            }
            else AnsiConsole.WriteLine($"{indent}{k.PadRight(width)}{Plain(v)}");
        }
    }

    // A JSON value as people read it: strings without quotes, arrays as comma-separated lists.
    private static string Plain(JsonNode? v) => v switch
    {
        null => "-",
        JsonArray a => string.Join(", ", a.Select(Plain)),
        JsonValue x when x.TryGetValue(out string? text) => text,
        _ => v.ToJsonString(),
    };
}
