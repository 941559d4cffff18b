using WbcNca.Checkpoints;
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
        var (bundle, cache) = JtscCells.Load();
        var (fit, rest) = PerClassSample.Choose(cache.Labels, 10, seed: 3);
        Assert.Equal(41, fit.Length);                                   // 10 of each type, the one basophil
        Assert.Empty(fit.Intersect(rest));
        double before = Evaluator.Evaluate(bundle, cache, rest, bundle.Normalization, [0], coarse: true).FiveTypes!.Accuracy;
        byte[] headBefore = bundle.Classifier.Head.Output.weight!.data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray();
        var backboneBefore = bundle.Classifier.Backbone.parameters().Select(p => p.detach().clone()).ToArray();

        HeadAdaptationResult result = HeadAdaptation.Run(bundle, cache, fit, LabelLevel.Coarse, new AdaptOptions(Seed: 3));
        var (lossBefore, lossAfter) = (result.LossBefore, result.LossAfter);
        Assert.Contains(result.Pull, AdaptOptions.PullChoices);                  // chosen by cross-validation
        // Calibration and the review threshold are refitted on the cross-validated answers of the labelled cells: each
        // cell's answer the mean of its 8 views, as the adapted model answers.
        Assert.Equal(new WbcNca.Inference.TestTimeAveraging(8, Views: true), new AdaptOptions().Averaging);
        Assert.Equal(41, result.Calibration.Images);
        Assert.True(result.Calibration.IsFitted && result.Calibration.Temperature is > 0.05 and < 20, $"T = {result.Calibration.Temperature}");
        Assert.True(double.IsFinite(result.Calibration.EceBefore) && double.IsFinite(result.Calibration.EceAfter));
        Assert.InRange(result.Decision.ReviewBelow, 0.05, 0.99);
        Assert.StartsWith("cross-validated answers (the mean of each cell's views) of the 41 labelled cells (41 answers", result.Decision.ChosenOn);

        Assert.True(lossAfter < lossBefore / 2, $"loss {lossBefore} → {lossAfter}");
        double after = Evaluator.Evaluate(bundle, cache, rest, bundle.Normalization, [0], coarse: true).FiveTypes!.Accuracy;
        Assert.True(after > before + 0.15, $"five-type accuracy on the other cells {before:0.000} → {after:0.000}");
        Assert.NotEqual(headBefore, bundle.Classifier.Head.Output.weight!.data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());
        foreach (var (p, q) in bundle.Classifier.Backbone.parameters().Zip(backboneBefore))
            Assert.True(p.equal(q).all().item<bool>(), "the backbone must stay as trained");

        // The lab's mix from its cells without their labels: jtsc holds 176 neutrophils of 300 (59 %), 22 eosinophils.
        // (One run here to keep the test short; adapt's model estimates it from its 8-view answers.)
        ModelBundle adapted = bundle with { Calibration = result.Calibration };
        float biasBefore = bundle.Classifier.Head.Output.bias![CellClasses.IndexOf("neutrophil_segmented", LabelLevel.Fine)].item<float>();
        LabelShift shift = HeadAdaptation.ShiftToLab(adapted, cache, Enumerable.Range(0, cache.Count).ToArray(), LabelLevel.Coarse, fit.Select(i => cache.Labels[i]).ToArray());
        Assert.Equal(300, shift.Cells);
        int neutrophil = CellClasses.IndexOf("neutrophil", LabelLevel.Coarse);
        Assert.InRange(shift.Estimated[neutrophil], 0.45, 0.7);
        Assert.InRange(shift.Fitted[neutrophil], 0.2, 0.3);                   // 10 of the 41 fitted cells
        Assert.Equal(0, shift.Estimated[CellClasses.CoarseOther]);
        Assert.True(bundle.Classifier.Head.Output.bias![CellClasses.IndexOf("neutrophil_segmented", LabelLevel.Fine)].item<float>() > biasBefore);
        double shifted = Evaluator.Evaluate(adapted, cache, rest, bundle.Normalization, [0], coarse: true).FiveTypes!.Accuracy;
        Assert.True(shifted >= after - 0.02, $"five-type accuracy on the other cells, moved to the lab's mix: {after:0.000} → {shifted:0.000}");
        Assert.Equal(WbcNca.Inference.TestTimeAveraging.Single, new AdaptOptions(AnswerWithViews: false).Averaging);
    }

    [SkippableFact]
    public void Tuning_the_automaton_too_moves_its_rule_a_little_towards_the_lab_and_is_recorded()
    {
        var (bundle, cache) = JtscCells.Load();
        int[] fit = PerClassSample.Choose(cache.Labels, 4, seed: 1).Chosen;                     // 17 cells
        var backboneBefore = bundle.Classifier.Backbone.parameters().Select(p => p.detach().clone()).ToArray();
        var options = new AdaptOptions(Epochs: 50, Views: 2, WeightDecay: 0.1, Seed: 1, Tune: AdaptedParts.All, TuneSteps: 4);

        HeadAdaptationResult result = HeadAdaptation.Run(bundle, cache, fit, LabelLevel.Coarse, options);

        Assert.True(double.IsFinite(result.LossAfter) && result.LossAfter < result.LossBefore, $"loss {result.LossBefore} → {result.LossAfter}");
        double moved = 0, size = 0;
        foreach (var (p, q) in bundle.Classifier.Backbone.parameters().Zip(backboneBefore))
        {
            moved += (p - q).pow(2).sum().item<float>();
            size += q.pow(2).sum().item<float>();
        }
        Assert.True(moved > 0, "the automaton's rule must change");
        Assert.True(Math.Sqrt(moved / size) < 0.05, $"the rule moved by {Math.Sqrt(moved / size):P1} of its size in 4 steps");
        var provenance = HeadAdaptation.Provenance(new Dictionary<string, string>(), "lab", fit.Length, options, 0.1);
        Assert.Equal("head, automaton", provenance["adapted_parts"]);
        Assert.StartsWith("4 steps", provenance["adapted_automaton"]);
        Assert.Equal("head", HeadAdaptation.Provenance(provenance, "lab", fit.Length, options with { Tune = AdaptedParts.Head }, 0.1)["adapted_parts"]);
        Assert.False(HeadAdaptation.Provenance(provenance, "lab", fit.Length, options with { Tune = AdaptedParts.Head }, 0.1).ContainsKey("adapted_automaton"));
        Assert.Throws<ArgumentException>(() => (options with { TuneSteps = 0 }).Validate());
    }

    [SkippableFact]
    public void Tuning_the_colours_keeps_the_rule_and_folds_a_gain_and_offset_per_channel_into_the_normalisation()
    {
        var (bundle, cache) = JtscCells.Load();
        int[] fit = PerClassSample.Choose(cache.Labels, 4, seed: 1).Chosen;
        var backboneBefore = bundle.Classifier.Backbone.parameters().Select(p => p.detach().clone()).ToArray();
        var options = new AdaptOptions(Epochs: 50, Views: 2, WeightDecay: 0.1, Seed: 1, Tune: AdaptedParts.Colour, TuneSteps: 6, ColourLearningRate: 0.05);
        WbcNca.Imaging.Normalization trained = bundle.Normalization;

        HeadAdaptationResult result = HeadAdaptation.Run(bundle, cache, fit, LabelLevel.Coarse, options);

        Assert.True(double.IsFinite(result.LossAfter) && result.LossAfter < result.LossBefore, $"loss {result.LossBefore} → {result.LossAfter}");
        foreach (var (p, q) in bundle.Classifier.Backbone.parameters().Zip(backboneBefore))
        {
            Assert.True(p.equal(q).all().item<bool>(), "the automaton's rule must stay as trained");
            Assert.True(p.requires_grad, "the rule's weights must be trainable again afterwards");
        }
        WbcNca.Imaging.Normalization tuned = Assert.IsType<WbcNca.Imaging.Normalization>(result.Normalization);
        Assert.Equal(trained.Name + HeadAdaptation.LabColours, tuned.Name);
        // 6 steps at rate 0.05 move each log gain and offset by at most about 0.3: the statistics move, within that.
        double moved = 0;
        for (int c = 0; c < 3; c++)
        {
            double gain = trained.Std[c] / tuned.Std[c], offset = (trained.Mean[c] - tuned.Mean[c]) / tuned.Std[c];
            Assert.InRange(gain, Math.Exp(-0.35), Math.Exp(0.35));
            Assert.InRange(offset, -0.35, 0.35);
            moved += Math.Abs(Math.Log(gain)) + Math.Abs(offset);
        }
        Assert.True(moved > 0.01, $"the colours must move (by {moved})");
        var provenance = HeadAdaptation.Provenance(new Dictionary<string, string>(), "lab", fit.Length, options, 0.1);
        Assert.Equal("head, colours", provenance["adapted_parts"]);
        Assert.StartsWith("6 steps", provenance["adapted_colours"]);
        Assert.False(HeadAdaptation.Provenance(provenance, "lab", fit.Length, options with { Tune = AdaptedParts.Head }, 0.1).ContainsKey("adapted_colours"));
        var perImage = bundle with { Normalization = WbcNca.Imaging.Normalization.PerImage };
        Assert.Throws<WbcNcaException>(() => HeadAdaptation.Run(perImage, cache, fit, LabelLevel.Coarse, options));
    }
}
