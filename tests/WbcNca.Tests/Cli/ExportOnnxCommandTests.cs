using Microsoft.ML.OnnxRuntime;
using WbcNca.Checkpoints;
using WbcNca.Export;
using WbcNca.Tests.Export;

namespace WbcNca.Tests.Cli;

[Collection(TorchCollection.Name)]
public class ExportOnnxCommandTests
{
    [Fact]
    public void Export_onnx_writes_a_model_onnx_runtime_loads_with_the_model_files_classes()
    {
        string dir = Directory.CreateTempSubdirectory("wbc-nca-onnx-").FullName;
        try
        {
            string model = Path.Combine(dir, "m.safetensors"), onnx = Path.Combine(dir, "m.onnx");
            ModelFile.Save(OnnxExportTests.RandomBundle(Web.WebTestHost.Small, 4), model);
            var r = CliProcess.Run("export-onnx", "--model", model, "--out", onnx);
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Contains("opset 17", r.Stdout);
            using var session = new InferenceSession(onnx);
            Assert.Equal([Web.WebTestHost.Small.Steps, -1, 16, 16, 1], session.InputMetadata[OnnxExporter.MaskInput].Dimensions);
            Assert.StartsWith("[\"basophil\"", session.ModelMetadata.CustomMetadataMap["classes"]);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Export_onnx_of_a_missing_model_fails_with_one_line_naming_it()
    {
        var r = CliProcess.Run("export-onnx", "--model", "absent.safetensors", "--out", Path.Combine(Path.GetTempPath(), "never.onnx"));
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains("absent.safetensors", r.Stderr);
    }
}
