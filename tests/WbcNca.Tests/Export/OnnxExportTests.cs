using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Export;
using WbcNca.Imaging;
using WbcNca.Model;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace WbcNca.Tests.Export;

[Collection(TorchCollection.Name)]
public class OnnxExportTests
{
    private static readonly NcaConfig Small = new(Channels: 16, HiddenSize: 24, Steps: 12, ImageSize: 16, ClassifierHidden: 20, NumClasses: 13);

    /// <summary>A classifier with every weight random (fc2 of the rule is not zero, so the steps matter).</summary>
    internal static ModelBundle RandomBundle(NcaConfig config, int seed)
    {
        var model = NcaClassifier.Create(config, seed);
        WbcNca.Tests.Model.RandomWeights.Fill(model, seed + 100, 0.3);
        model.eval();
        return new ModelBundle(model, CellClasses.Fine, Normalization.Acevedo20, new Dictionary<string, string> { ["source"] = "random" });
    }

    private static float[] RandomImages(int batch, NcaConfig c, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, batch * 3 * c.ImageSize * c.ImageSize).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
    }

    private static float[] TorchLogits(ModelBundle bundle, float[] images, int batch, Tensor? masks)
    {
        int s = bundle.Config.ImageSize;
        using var _ = no_grad();
        using var x = tensor(images, [batch, 3, s, s]);
        using var logits = bundle.Classifier.forward(x, masks);
        return logits.data<float>().ToArray();
    }

    private static (float[] Logits, float[] Probabilities, int[] Shape) OnnxRun(byte[] model, float[] images, int batch, int s, float[] mask, int[] maskShape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor(OnnxExporter.ImageInput, new DenseTensor<float>(images, [batch, 3, s, s])),
            NamedOnnxValue.CreateFromTensor(OnnxExporter.MaskInput, new DenseTensor<float>(mask, maskShape)),
        };
        using var results = session.Run(inputs);
        var logits = results.First(r => r.Name == OnnxExporter.LogitsOutput).AsTensor<float>();
        var probs = results.First(r => r.Name == OnnxExporter.ProbabilitiesOutput).AsTensor<float>();
        return (logits.ToArray(), probs.ToArray(), logits.Dimensions.ToArray());
    }

    private static void AssertClose(float[] want, float[] got, string what)
    {
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - got[i]) <= 1e-4 * Math.Max(1, Math.Abs(want[i])), $"{what}[{i}]: torch {want[i]}, onnx {got[i]}");
    }

    [Fact]
    public void Exported_model_gives_the_torch_logits_for_a_shared_seeded_mask()
    {
        var bundle = RandomBundle(Small, 1);
        byte[] onnx = OnnxExporter.Export(bundle);
        float[] images = RandomImages(3, Small, 2);
        using var masks = UpdateMask.Seeded(Small.Steps, Small.ImageSize, 0.5, seed: 7);             // (k, 1, S, S, 1)
        float[] want = TorchLogits(bundle, images, 3, masks);
        var (got, probs, shape) = OnnxRun(onnx, images, 3, Small.ImageSize, masks.data<float>().ToArray(), [Small.Steps, 1, Small.ImageSize, Small.ImageSize, 1]);
        Assert.Equal([3, 13], shape);
        AssertClose(want, got, "logits");
        for (int b = 0; b < 3; b++) Assert.Equal(1.0, probs[(b * 13)..((b + 1) * 13)].Sum(), 4);
    }

    [Fact]
    public void Exported_model_gives_the_torch_logits_for_one_random_mask_per_image()
    {
        var bundle = RandomBundle(Small, 3);
        byte[] onnx = OnnxExporter.Export(bundle);
        float[] images = RandomImages(2, Small, 4);
        using var g = new Generator(11);
        using var masks = UpdateMask.Sample(Small.Steps, 2, Small.ImageSize, 0.5, g);               // (k, B, S, S, 1)
        float[] want = TorchLogits(bundle, images, 2, masks);
        var (got, _, _) = OnnxRun(onnx, images, 2, Small.ImageSize, masks.data<float>().ToArray(), [Small.Steps, 2, Small.ImageSize, Small.ImageSize, 1]);
        AssertClose(want, got, "logits");
        // The masks matter: swapping the two images' masks changes the answer.
        float[] swapped = masks.index_select(1, tensor(new long[] { 1, 0 })).contiguous().data<float>().ToArray();
        var (other, _, _) = OnnxRun(onnx, images, 2, Small.ImageSize, swapped, [Small.Steps, 2, Small.ImageSize, Small.ImageSize, 1]);
        Assert.True(got.Zip(other).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "the mask input is ignored");
    }

    [Fact]
    public void Exported_model_with_an_all_ones_mask_equals_the_deterministic_torch_path()
    {
        var bundle = RandomBundle(Small, 5);
        byte[] onnx = OnnxExporter.Export(bundle);
        float[] images = RandomImages(4, Small, 6);
        float[] want = TorchLogits(bundle, images, 4, null);
        float[] ones = Enumerable.Repeat(1f, Small.Steps * Small.ImageSize * Small.ImageSize).ToArray();
        var (got, _, _) = OnnxRun(onnx, images, 4, Small.ImageSize, ones, [Small.Steps, 1, Small.ImageSize, Small.ImageSize, 1]);
        AssertClose(want, got, "logits");
    }

    [Fact]
    public void Exported_model_declares_opset_17_a_dynamic_batch_and_the_classes()
    {
        var bundle = RandomBundle(Small, 1);
        using var session = new InferenceSession(OnnxExporter.Export(bundle));
        Assert.Equal(-1, session.InputMetadata[OnnxExporter.ImageInput].Dimensions[0]);
        Assert.Equal([Small.Steps, -1, Small.ImageSize, Small.ImageSize, 1], session.InputMetadata[OnnxExporter.MaskInput].Dimensions);
        Assert.Equal([-1, 13], session.OutputMetadata[OnnxExporter.LogitsOutput].Dimensions);
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.StartsWith("[\"basophil\",\"eosinophil\"", meta["classes"]);
        Assert.Contains("acevedo20", meta["normalization"]);
        Assert.Equal(Preprocessing.Default, Preprocessing.FromJson(meta["preprocessing"]));
        Assert.Equal("wbc-nca", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void The_exported_metadata_carries_a_framed_models_preprocessing_its_temperature_and_its_averaging()
    {
        var framed = new Preprocessing(Framing.Cell, 2.2, 3.0, ColorMode.Anchors);
        using var session = new InferenceSession(OnnxExporter.Export(RandomBundle(Small, 1) with
        {
            Preprocessing = framed,
            Calibration = new WbcNca.Inference.Calibration(1.7, "validation", 10),
            Averaging = new WbcNca.Inference.TestTimeAveraging(8, Views: true),
        }));
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(framed, Preprocessing.FromJson(meta["preprocessing"]));
        Assert.Equal(1.7, WbcNca.Inference.Calibration.FromJson(meta["calibration"]).Temperature);
        Assert.Equal(new WbcNca.Inference.TestTimeAveraging(8, true), WbcNca.Inference.TestTimeAveraging.FromJson(meta["averaging"]));
    }

    [Fact]
    public void Export_of_the_paper_model_is_small_because_the_steps_share_their_weights()
    {
        using var model = NcaClassifier.Create(NcaConfig.Paper, 0);
        byte[] onnx = OnnxExporter.Export(new ModelBundle(model, CellClasses.Fine, Normalization.Acevedo20, new Dictionary<string, string>()));
        // 86,413 float parameters (fc2's colour rows dropped) plus the graph: well under 2 × the weights.
        Assert.InRange(onnx.Length, 4 * 80_000, 4 * 86_413 + 20_000);
    }

    [SkippableFact]
    public void Exported_reference_model_classifies_real_cells_like_the_torch_path()
    {
        string pt = SharedData.Require("reference/wbc-nca-matek19-maxnca128.pt");
        string folder = SharedData.Require("fixtures/acevedo64");
        ModelBundle bundle = TorchCheckpointImporter.Import(pt, CellClasses.Fine, Normalization.Acevedo20);
        var pre = new ImagePreprocessor(bundle.Config.ImageSize, bundle.Normalization);
        string[] files = Directory.GetFiles(folder, "*.png").Order().Take(2).ToArray();
        float[] images = files.SelectMany(pre.Process).ToArray();
        using var masks = UpdateMask.Seeded(bundle.Config.Steps, bundle.Config.ImageSize, bundle.Config.UpdateProbability, seed: 0);
        float[] want = TorchLogits(bundle, images, files.Length, masks);
        int s = bundle.Config.ImageSize;
        var (got, _, _) = OnnxRun(OnnxExporter.Export(bundle), images, files.Length, s, masks.data<float>().ToArray(), [bundle.Config.Steps, 1, s, s, 1]);
        AssertClose(want, got, "logits");
    }
}
