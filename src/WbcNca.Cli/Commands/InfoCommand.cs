using System.CommandLine;
using System.Globalization;
using System.Text.Json;
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
            string source;
            ModelSpec spec;
            long parameters, macs;
            IReadOnlyList<string> classes;
            string normalization;
            Imaging.Preprocessing preprocessing = Imaging.Preprocessing.Default;
            Training.TrainingRecipe? recipe = null;
            IReadOnlyDictionary<string, string> provenance;
            if (presetName is not null || archName is not null)
            {
                try { spec = ModelSpec.Default(archName ?? ModelSpec.NcaArch, presetName ?? "compact"); }
                catch (ArgumentException e) { throw new WbcNcaException($"{(presetName is not null ? "--preset" : "--arch")}: {e.Message}"); }
                using ICellClassifier fresh = spec.Build();
                if (spec.Arch == ModelSpec.NcaArch) recipe = Training.TrainingRecipe.For(presetName ?? "compact");
                (source, parameters, macs, classes, normalization, provenance) =
                    (presetName is not null ? $"preset {presetName}" : $"arch {archName}", fresh.ParameterCount, fresh.MultiplyAccumulates(), Data.CellClasses.Fine, "-", new Dictionary<string, string>());
            }
            else
            {
                source = CommonOptions.ResolveModel(parse.GetValue(model));
                ModelBundle bundle = ModelFile.Load(source);
                (spec, parameters, macs, classes, normalization, provenance) =
                    (bundle.Spec, bundle.Model.ParameterCount, bundle.Model.MultiplyAccumulates(), bundle.Classes, bundle.Normalization.ToString(), bundle.Provenance);
                preprocessing = bundle.Preprocessing;
                bundle.Model.Dispose();
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["source"] = source,
                    ["arch"] = spec.Arch,
                    ["parameters"] = parameters,
                    ["macs_per_image"] = macs,
                    ["config"] = JsonDocument.Parse(spec.ConfigJson()).RootElement,
                    ["classes"] = classes,
                    ["normalization"] = normalization,
                    ["preprocessing"] = JsonDocument.Parse(preprocessing.ToJson()).RootElement,
                    ["provenance"] = provenance,
                    ["recipe"] = recipe is null ? null! : JsonDocument.Parse(recipe.Options.ToJson()).RootElement,
                }.Where(kv => kv.Value is not null).ToDictionary()));
                return 0;
            }
            var table = new Table().Title($"[bold]{Markup.Escape(source)}[/]").AddColumn("property").AddColumn("value");
            table.AddRow("architecture", spec.Arch);
            table.AddRow("parameters", parameters.ToString("N0", CultureInfo.InvariantCulture));
            table.AddRow("multiply-accumulates per image", macs.ToString("N0", CultureInfo.InvariantCulture));
            if (spec.Nca is NcaConfig config)
            {
                table.AddRow("channels n", config.Channels.ToString(CultureInfo.InvariantCulture));
                table.AddRow("update hidden", config.HiddenSize.ToString(CultureInfo.InvariantCulture));
                table.AddRow("steps k", config.Steps.ToString(CultureInfo.InvariantCulture));
                table.AddRow("update probability p", config.UpdateProbability.ToString(CultureInfo.InvariantCulture));
                table.AddRow("classifier hidden", config.ClassifierHidden.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                table.AddRow("config", Markup.Escape(spec.ConfigJson()));
            }
            table.AddRow("image size", $"{spec.ImageSize}×{spec.ImageSize}");
            table.AddRow("classes", Markup.Escape($"{classes.Count}: {string.Join(", ", classes)}"));
            table.AddRow("input", Markup.Escape(preprocessing.ToString()));
            table.AddRow("normalisation", Markup.Escape(normalization));
            foreach (var (k, v) in provenance) table.AddRow(Markup.Escape(k), Markup.Escape(v));
            if (recipe is not null)
                foreach (var (k, v) in recipe.Describe()) table.AddRow(Markup.Escape($"recipe: {k}"), Markup.Escape(v));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
