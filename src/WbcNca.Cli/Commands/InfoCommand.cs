using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using WbcNca.Checkpoints;
using WbcNca.Model;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca info [--model M | --preset P]</c>: config, parameter count, classes, normalisation, provenance.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var preset = new Option<string?>("--preset") { Description = $"Describe a fresh model of a preset instead ({string.Join(", ", NcaConfig.PresetNames)})" };
        var json = CommonOptions.Json("Print one JSON object");
        var command = new Command("info", "Show a model's configuration, parameter count and classes") { model, preset, json };
        command.SetAction(parse =>
        {
            Runtime.TorchRuntime.Initialize();
            string? presetName = parse.GetValue(preset);
            string source;
            NcaConfig config;
            long parameters;
            IReadOnlyList<string> classes;
            string normalization;
            IReadOnlyDictionary<string, string> provenance;
            if (presetName is not null)
            {
                try { config = NcaConfig.FromPreset(presetName); }
                catch (ArgumentException e) { throw new WbcNcaException($"--preset: {e.Message}"); }
                using var fresh = new NcaClassifier(config);
                (source, parameters, classes, normalization, provenance) = ($"preset {presetName}", fresh.ParameterCount, Data.CellClasses.Fine, "-", new Dictionary<string, string>());
            }
            else
            {
                source = CommonOptions.ResolveModel(parse.GetValue(model));
                ModelBundle bundle = ModelFile.Load(source);
                (config, parameters, classes, normalization, provenance) = (bundle.Config, bundle.Classifier.ParameterCount, bundle.Classes, bundle.Normalization.ToString(), bundle.Provenance);
                bundle.Classifier.Dispose();
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["source"] = source,
                    ["parameters"] = parameters,
                    ["config"] = JsonDocument.Parse(config.ToJson()).RootElement,
                    ["classes"] = classes,
                    ["normalization"] = normalization,
                    ["provenance"] = provenance,
                }));
                return 0;
            }
            var table = new Table().Title($"[bold]{Markup.Escape(source)}[/]").AddColumn("property").AddColumn("value");
            table.AddRow("parameters", parameters.ToString("N0", CultureInfo.InvariantCulture));
            table.AddRow("channels n", config.Channels.ToString(CultureInfo.InvariantCulture));
            table.AddRow("update hidden", config.HiddenSize.ToString(CultureInfo.InvariantCulture));
            table.AddRow("steps k", config.Steps.ToString(CultureInfo.InvariantCulture));
            table.AddRow("image size", $"{config.ImageSize}×{config.ImageSize}");
            table.AddRow("update probability p", config.UpdateProbability.ToString(CultureInfo.InvariantCulture));
            table.AddRow("classifier hidden", config.ClassifierHidden.ToString(CultureInfo.InvariantCulture));
            table.AddRow("classes", Markup.Escape($"{classes.Count}: {string.Join(", ", classes)}"));
            table.AddRow("normalisation", Markup.Escape(normalization));
            foreach (var (k, v) in provenance) table.AddRow(Markup.Escape(k), Markup.Escape(v));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
