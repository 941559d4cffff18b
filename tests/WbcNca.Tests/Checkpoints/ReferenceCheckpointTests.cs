using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.IO;

namespace WbcNca.Tests.Checkpoints;

/// <summary>The authors' Matek-19 checkpoint, imported, must compute what their code computes in PyTorch.</summary>
[Collection(TorchCollection.Name)]
public class ReferenceCheckpointTests
{
    private const string CheckpointPath = "reference/wbc-nca-matek19-maxnca128.pt";

    private static ModelBundle Import() =>
        TorchCheckpointImporter.Import(SharedData.Require(CheckpointPath), CellClasses.Fine, Normalization.Acevedo20);

    [SkippableFact]
    public void Imported_reference_model_has_the_papers_config_and_86413_parameters()
    {
        ModelBundle bundle = Import();
        Assert.Equal(WbcNca.Model.NcaConfig.Paper, bundle.Config);
        Assert.Equal(86_413, bundle.Classifier.ParameterCount);
        Assert.Equal(CellClasses.Fine, bundle.Classes);
    }

    [SkippableFact]
    public void Imported_reference_model_matches_pytorch_logits_on_the_acevedo64_fixtures_with_update_probability_one()
    {
        ModelBundle bundle = Import();
        string folder = SharedData.Require("fixtures/acevedo64");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Model", "Resources", "reference_logits_acevedo64.json")));
        var expected = doc.RootElement.GetProperty("logits").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetSingle()).ToArray());
        Assert.Equal(24, expected.Count);

        var pre = new ImagePreprocessor(64, Normalization.Acevedo20);
        var names = expected.Keys.Order(StringComparer.Ordinal).ToList();
        var inputs = names.Select(n => pre.Process(Path.Combine(folder, n))).ToList();
        var predictions = new Predictor(bundle).Predict(inputs, new PredictOptions(UpdateProbability: 1.0, BatchSize: 8));

        double worst = 0;
        for (int i = 0; i < names.Count; i++)
        {
            float[] want = expected[names[i]], got = predictions[i].Logits;
            double scale = want.Max(Math.Abs);
            for (int c = 0; c < want.Length; c++)
                worst = Math.Max(worst, Math.Abs(got[c] - want[c]) / Math.Max(Math.Abs(want[c]), 1e-3 * scale));
            Assert.Equal(Array.IndexOf(want, want.Max()), predictions[i].Index);
        }
        Assert.True(worst <= 1e-3, $"largest relative logit difference {worst:g3} exceeds 1e-3");
    }

    [SkippableFact]
    public void Importing_without_transposing_the_kernels_would_change_the_logits()
    {
        // Guards the one subtle step of the import: the reference convolves the transposed image.
        ModelBundle bundle = Import();
        var raw = PyTorchStateDictReader.Read(SharedData.Require(CheckpointPath));
        var pre = new ImagePreprocessor(64, Normalization.Acevedo20);
        float[] input = pre.Process(Directory.GetFiles(SharedData.Require("fixtures/acevedo64")).Order(StringComparer.Ordinal).First());
        var options = new PredictOptions(UpdateProbability: 1.0);
        float[] right = new Predictor(bundle).Predict([input], options)[0].Logits;

        var untransposed = bundle.Classifier.state_dict().ToDictionary(kv => kv.Key, kv =>
        {
            using var t = kv.Value.detach().contiguous();
            return new TensorData(t.shape, t.data<float>().ToArray());
        });
        untransposed["backbone.perception.k1.weight"] = raw["p0.weight"];
        untransposed["backbone.perception.k2.weight"] = raw["p1.weight"];
        ModelFile.LoadWeights(bundle.Classifier, untransposed, "test");
        float[] wrong = new Predictor(bundle).Predict([input], options)[0].Logits;
        Assert.True(right.Zip(wrong).Max(p => Math.Abs(p.First - p.Second)) > 1.0);
    }

    [SkippableFact]
    public void A_state_dict_of_another_model_is_refused_with_a_clear_message()
    {
        string tiny = Path.Combine(AppContext.BaseDirectory, "IO", "Resources", "tiny_state_dict.pt");
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpointImporter.Import(tiny, CellClasses.Fine, Normalization.Acevedo20));
        Assert.Contains("tiny_state_dict.pt", e.Message);
        Assert.Contains("not a WBC-NCA MaxNCA state dict", e.Message);
    }
}
