using System.CommandLine;
using Spectre.Console;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca import-torch STATE_DICT --out MODEL --normalization NAME</c>: converts the authors' PyTorch checkpoint.</summary>
public static class ImportTorchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Argument<string>("state_dict") { Description = "PyTorch state dict (.pt) of the paper's MaxNCA model (marrlab/WBC-NCA layout)" };
        var output = CommonOptions.Out("Model file", ".safetensors");
        var normalization = new Option<string>("--normalization")
        {
            Description = $"Input normalisation to store with the model: {string.Join(", ", Normalization.KnownNames)}",
            Required = true,
        };
        var steps = new Option<int>("--steps") { Description = "NCA steps k the model was trained with", DefaultValueFactory = _ => 64 };
        var imageSize = new Option<int>("--image-size") { Description = "Input image side in pixels", DefaultValueFactory = _ => 64 };

        var command = new Command("import-torch", "Convert a PyTorch state dict of the paper's reference code into a wbc-nca model file")
        {
            input, output, normalization, steps, imageSize,
        };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(input)!;
            string target = parse.GetValue(output)!;
            Normalization norm = CommonOptions.ParseNormalization(parse.GetValue(normalization)!);
            if (!File.Exists(source)) throw WbcNcaException.ForFile(source, "file not found");
            Runtime.TorchRuntime.Initialize();
            ModelBundle bundle = TorchCheckpointImporter.Import(source, CellClasses.Fine, norm, parse.GetValue(steps), parse.GetValue(imageSize));
            ModelFile.Save(bundle, target);
            AnsiConsole.MarkupLineInterpolated($"[green]wrote[/] {target}: {bundle.Classifier.ParameterCount:N0} parameters, {bundle.Classes.Count} classes, normalisation {bundle.Normalization.Name}");
            return 0;
        });
        return command;
    }

}
