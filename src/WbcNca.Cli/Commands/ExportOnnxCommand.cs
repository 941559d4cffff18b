using System.CommandLine;
using WbcNca.Checkpoints;
using WbcNca.Export;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca export-onnx [--model M] --out model.onnx</c>: the whole classifier as an ONNX model (opset 17, dynamic batch).</summary>
public static class ExportOnnxCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var output = CommonOptions.Out("ONNX file");
        var command = new Command("export-onnx", "Export the classifier as ONNX (inputs: image, update_mask; outputs: logits, probabilities); see docs/onnx.md") { model, output };
        command.SetAction(parse =>
        {
            Runtime.TorchRuntime.Initialize();
            string modelPath = CommonOptions.ResolveModel(parse.GetValue(model));
            string outPath = parse.GetValue(output)!;
            ModelBundle bundle = ModelFile.Load(modelPath);
            if (!bundle.IsNca) throw WbcNcaException.ForFile(modelPath, $"is a {bundle.Spec.Arch} model; only NCA models can be exported to ONNX");
            try
            {
                OnnxExporter.Save(bundle, outPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw WbcNcaException.ForFile(outPath, $"cannot write ({e.Message})");
            }
            var c = bundle.Config;
            Console.Out.WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length:N0} bytes, opset {OnnxExporter.Opset}): " +
                $"inputs {OnnxExporter.ImageInput} (batch, 3, {c.ImageSize}, {c.ImageSize}), {OnnxExporter.MaskInput} ({c.Steps}, batch or 1, {c.ImageSize}, {c.ImageSize}, 1); " +
                $"outputs {OnnxExporter.LogitsOutput}, {OnnxExporter.ProbabilitiesOutput} (batch, {c.NumClasses})");
            return 0;
        });
        return command;
    }
}
