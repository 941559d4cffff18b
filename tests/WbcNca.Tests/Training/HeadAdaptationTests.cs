using WbcNca.Checkpoints;
using WbcNca.Cli.Commands;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Training;

namespace WbcNca.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class HeadAdaptationTests
{
    [SkippableFact]
    public void Refitting_the_head_on_a_few_cells_of_another_lab_improves_the_score_on_its_other_cells()
    {
        string jtsc = SharedData.Require(Path.Combine("data", "jtsc"));
        ModelBundle bundle = ModelFile.Load(Path.Combine(SharedData.RepoRoot, "models", "wbc-nca-acevedo20.safetensors"));
        Dataset set = DatasetReader.Open("folder", jtsc);
        ImageCache cache = ImageCache.Load(set.Items, bundle.Spec.ImageSize, threads: 2, preprocessing: bundle.Preprocessing);
        var (fit, rest) = AdaptCommand.Choose(cache.Labels, 10, seed: 3);
        Assert.Equal(41, fit.Count);                                   // 10 of each type, the one basophil
        Assert.Empty(fit.Intersect(rest));
        double before = Evaluator.Evaluate(bundle, cache, rest, bundle.Normalization, [0], coarse: true).FiveTypes!.Accuracy;
        byte[] headBefore = bundle.Classifier.Head.Output.weight!.data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray();
        var backboneBefore = bundle.Classifier.Backbone.parameters().Select(p => p.detach().clone()).ToArray();

        var (lossBefore, lossAfter) = HeadAdaptation.Run(bundle, cache, fit, LabelLevel.Coarse, new AdaptOptions(Seed: 3));

        Assert.True(lossAfter < lossBefore / 2, $"loss {lossBefore} → {lossAfter}");
        double after = Evaluator.Evaluate(bundle, cache, rest, bundle.Normalization, [0], coarse: true).FiveTypes!.Accuracy;
        Assert.True(after > before + 0.15, $"five-type accuracy on the other cells {before:0.000} → {after:0.000}");
        Assert.NotEqual(headBefore, bundle.Classifier.Head.Output.weight!.data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());
        foreach (var (p, q) in bundle.Classifier.Backbone.parameters().Zip(backboneBefore))
            Assert.True(p.equal(q).all().item<bool>(), "the backbone must stay as trained");
    }

    [Fact]
    public void Cells_are_chosen_per_class_by_the_seed_and_a_small_class_gives_what_it_has()
    {
        int[] labels = [0, 0, 0, 1, 2, 2, 2, 2];
        var (fit, rest) = AdaptCommand.Choose(labels, 2, seed: 5);
        Assert.Equal(5, fit.Count);                                    // 2 + 1 + 2
        Assert.Equal(fit, AdaptCommand.Choose(labels, 2, seed: 5).Fit);
        Assert.Equal(8, fit.Concat(rest).Distinct().Count());
        Assert.Equal((8, 0), (AdaptCommand.Choose(labels, 0, 1).Fit.Count, AdaptCommand.Choose(labels, 0, 1).Others.Count));
    }
}
