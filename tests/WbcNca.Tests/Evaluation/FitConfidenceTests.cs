using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Inference;
using WbcNca.Model;
using WbcNca.Tests.Export;
using WbcNca.Training;

namespace WbcNca.Tests.Evaluation;

[Collection(TorchCollection.Name)]
public sealed class FitConfidenceTests
{
    [Fact]
    public void The_temperature_and_the_review_threshold_are_fitted_on_the_given_cells_from_one_pass()
    {
        var config = new NcaConfig(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 8, ClassifierHidden: 12, NumClasses: 13);
        var bundle = OnnxExportTests.RandomBundle(config, 2);
        var rng = new Random(4);
        const int n = 60;
        float[] data = Enumerable.Range(0, n * 3 * 64).Select(_ => (float)rng.NextDouble()).ToArray();
        int[] labels = Enumerable.Range(0, n).Select(i => i % 13).ToArray();
        ImageCache cache = ImageCache.FromArrays(8, data, labels);
        int[] indices = Enumerable.Range(0, n).ToArray();

        var (calibration, decision) = Evaluator.FitConfidence(bundle, cache, indices, bundle.Normalization, maskSeed: 0);

        float[] probs = CachedInference.Run(bundle.Model, cache, indices, bundle.Normalization, 0, 64).Probabilities;
        Assert.Equal(Calibration.FitTemperature(probs, labels, 13), calibration.Temperature, 9);
        Assert.Equal((n, "validation"), (calibration.Images, calibration.FittedOn));
        Assert.True(calibration.EceAfter <= calibration.EceBefore + 1e-9, $"ECE {calibration.EceBefore} → {calibration.EceAfter}");
        float[] top = Enumerable.Range(0, n).Select(i => calibration.Apply(probs, 13).Skip(i * 13).Take(13).Max()).ToArray();
        Assert.Equal(DecisionRule.ChooseOnValidation(top), decision);
        Assert.Equal(54, top.Count(t => t >= decision.ReviewBelow));        // 90 % of 60 answered
        Assert.Equal((Calibration.None, DecisionRule.Default), Evaluator.FitConfidence(bundle, cache, [], bundle.Normalization, 0));
    }
}
