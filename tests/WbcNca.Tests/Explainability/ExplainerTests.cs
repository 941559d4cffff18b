using TorchSharp;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Explainability;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Explainability;

[Collection(TorchCollection.Name)]
public class ExplainerTests
{
    internal static ModelBundle Random(NcaConfig config, long seed = 3)
    {
        var model = NcaClassifier.Create(config, seed);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name == "backbone.update.fc2.weight") p.normal_(0, 0.02);   // a fresh rule is the identity: make it do something
        return new ModelBundle(model, CellClasses.Fine, Normalization.Acevedo20, new Dictionary<string, string> { ["source"] = "test" });
    }

    private static readonly NcaConfig Small = NcaConfig.Compact with { Steps = 12 };

    [Fact]
    public void The_trajectory_ends_in_the_forward_state_and_keeps_the_requested_steps()
    {
        ModelBundle bundle = Random(Small);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor x = randn(2, 3, 32, 32, generator: new Generator(1));
        Tensor masks = UpdateMask.Seeded(12, 32, 0.5, seed: 4);
        var trajectory = bundle.Classifier.Backbone.Trajectory(x, masks, every: 5);
        Assert.Equal([0, 5, 10, 12], trajectory.Select(t => t.Step));
        Tensor final = bundle.Classifier.Backbone.forward(x, masks);
        Assert.True(final.allclose(trajectory[^1].State, rtol: 0, atol: 0));
        Assert.True(trajectory[0].State.allclose(bundle.Classifier.Backbone.Seed(x)));
        Assert.False(trajectory[1].State.allclose(trajectory[2].State));
    }

    [Fact]
    public void Channel_maps_hold_the_pooled_values_where_their_maxima_sit_in_the_input_orientation()
    {
        ModelBundle bundle = Random(Small);
        Rgb8Image image = TestCells.Disc(32, 10, 20, 5);
        Explanation e = new Explainer(bundle).Explain(image, "disc", new ExplainOptions(EvolutionEvery: 4), new PredictOptions(Seed: 2));
        ChannelMaps maps = e.Maps;
        Assert.Equal([0, 4, 8, 12], maps.Steps);
        float[] input = new ImagePreprocessor(32, Normalization.Acevedo20).Process(image);
        Assert.Equal(input[..(32 * 32)], maps.Map(0).ToArray());            // channel 0 is the normalised red plane, rows × columns as the image
        Assert.Equal(input[(32 * 32)..(2 * 32 * 32)], maps.MapAt(0, 1).ToArray());
        for (int c = 0; c < maps.Channels; c++)
        {
            var (x, y) = maps.PooledLocation[c];
            Assert.Equal(maps.Pooled[c], maps.Map(c)[y * 32 + x]);
            Assert.Equal(maps.Map(c).ToArray().Max(), maps.Pooled[c]);
            Assert.Equal(maps.Map(c).ToArray(), maps.MapAt(3, c).ToArray());   // the last snapshot is the final state
        }
    }

    [Fact]
    public void The_explanation_predicts_what_the_predictor_predicts_and_its_relevance_budget_balances_on_that_logit()
    {
        ModelBundle bundle = Random(Small);
        Rgb8Image image = TestCells.Disc(40, 20, 18, 9);
        var run = new PredictOptions(Samples: 3, Seed: 7);
        Explanation e = new Explainer(bundle).Explain(image, "disc", new ExplainOptions(Top: 4), run);
        Prediction want = new Predictor(bundle).Predict([new ImagePreprocessor(32, Normalization.Acevedo20).Process(image)], run)[0];

        Assert.Equal(want.Index, e.Prediction.Index);
        for (int c = 0; c < want.Probabilities.Length; c++)
        {
            Assert.Equal(want.Probabilities[c], e.Prediction.Probabilities[c], 5);
            Assert.Equal(want.ProbabilityStd[c], e.Prediction.ProbabilityStd[c], 5);
        }
        ChannelRelevance r = e.Relevance;
        Assert.Equal(want.Index, r.TargetClass);
        Assert.Equal(want.Logits[r.TargetClass], r.Logit, 3);   // the mean over the 3 runs
        Assert.Equal(r.Logit, r.RelevanceSum + r.BiasShare, 9);
        Assert.Equal(4, e.TopChannels.Length);
        Assert.Equal(r.Top(4), e.TopChannels);
        Assert.Contains(e.RelevanceStd, s => s > 0);
        Assert.InRange(e.Focus.Score, 0, 1);
    }

    [Fact]
    public void A_chosen_class_is_explained_instead_of_the_predicted_one_and_a_bad_choice_is_a_clear_error()
    {
        ModelBundle bundle = Random(Small);
        Rgb8Image image = TestCells.Disc(32, 16, 16, 6);
        var run = new PredictOptions(UpdateProbability: 1.0);
        var explainer = new Explainer(bundle);
        Explanation predicted = explainer.Explain(image, "disc", new ExplainOptions(), run);
        int other = (predicted.Prediction.Index + 1) % 13;
        Explanation chosen = explainer.Explain(image, "disc", new ExplainOptions(TargetClass: other), run);
        Assert.Equal(other, chosen.Relevance.TargetClass);
        Assert.Equal(predicted.Prediction.Index, chosen.Prediction.Index);
        Assert.Equal(chosen.Prediction.Logits[other], chosen.Relevance.Logit, 4);
        var error = Assert.Throws<WbcNcaException>(() => explainer.Explain(image, "disc", new ExplainOptions(TargetClass: 13), run));
        Assert.Contains("out of range", error.Message);
    }

    [Fact]
    public void An_unreadable_image_is_an_image_load_error_naming_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"wbc-explain-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        try
        {
            var e = Assert.Throws<ImageLoadException>(() => new Explainer(Random(Small)).Explain(path, new ExplainOptions(), new PredictOptions()));
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_paper_preset_is_explained_too()
    {
        ModelBundle bundle = Random(NcaConfig.Paper with { Steps = 8 });
        Explanation e = new Explainer(bundle).Explain(TestCells.Disc(64, 30, 30, 12), "disc", new ExplainOptions(Top: 3), new PredictOptions());
        Assert.Equal(128, e.Maps.Channels);
        Assert.Equal(64, e.Mask.Size);
        Assert.Equal(e.Relevance.Logit, e.Relevance.RelevanceSum + e.Relevance.BiasShare, 9);
    }

    [SkippableFact]
    public void The_authors_imported_model_is_explained_with_the_predictors_answer_and_a_balanced_budget()
    {
        ModelBundle bundle = TorchCheckpointImporter.Import(SharedData.Require("reference/wbc-nca-matek19-maxnca128.pt"), CellClasses.Fine, Normalization.Acevedo20);
        string file = Path.Combine(SharedData.Require("fixtures/acevedo64"), "EO_294351.png");
        var run = new PredictOptions(Seed: 1);
        Explanation e = new Explainer(bundle).Explain(file, new ExplainOptions(Top: 5, Epsilon: 0), run);
        Prediction want = new Predictor(bundle).Predict([new ImagePreprocessor(64, Normalization.Acevedo20).Process(file)], run)[0];
        Assert.Equal(want.Index, e.Prediction.Index);
        Assert.Equal(want.Logits[want.Index], e.Relevance.Logit, 3);
        Assert.Equal(e.Relevance.Logit, e.Relevance.RelevanceSum + e.Relevance.BiasShare, 9);
        Assert.Equal(128, e.Relevance.Relevance.Length);
        Assert.True(e.Relevance.Relevance[e.TopChannels[0]] > 0);
        Assert.InRange(e.Focus.AreaFraction, 0.02, 0.3);
    }
}
