using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Training;

namespace WbcNca.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class AdaptationCrossValidationTests
{
    [Fact]
    public void The_folds_spread_every_label_keep_identical_images_together_and_follow_the_seed()
    {
        int[] labels = [.. Enumerable.Repeat(0, 7), .. Enumerable.Repeat(1, 3), .. Enumerable.Repeat(2, 1), .. Enumerable.Repeat(3, 10)];
        const int size = 3;
        var data = new float[labels.Length * 3 * size * size];
        for (int i = 0; i < labels.Length; i++) data.AsSpan(i * 3 * size * size, 3 * size * size).Fill(i);
        data.AsSpan(5 * 27, 27).Fill(4);                                                   // cell 5 is the same picture as cell 4
        var cache = ImageCache.FromArrays(size, data, labels);
        int[] cells = Enumerable.Range(0, labels.Length).ToArray();
        var fold = AdaptationCrossValidation.Folds(cache, cells, 3, seed: 5);
        Assert.Equal(fold[4], fold[5]);
        foreach (int label in new[] { 1, 3 })
        {
            int[] perFold = Enumerable.Range(0, 3).Select(f => labels.Where((l, i) => l == label && fold[i] == f).Count()).ToArray();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"label {label}: {string.Join(",", perFold)}");
        }
        Assert.All(Enumerable.Range(0, 3), f => Assert.Contains(f, fold));
        Assert.Equal(fold, AdaptationCrossValidation.Folds(cache, cells, 3, seed: 5));      // the seed decides
        Assert.Contains(new long[] { 6, 7, 8, 9 }, s => !fold.SequenceEqual(AdaptationCrossValidation.Folds(cache, cells, 3, s)));
    }

    [SkippableFact]
    public void Cross_validation_scores_each_labelled_cell_with_a_head_adapted_on_the_others_and_leaves_the_model_as_given()
    {
        var (given, cache) = JtscCells.Load();
        string path = JtscCells.DefaultModelPath;
        int[] cells = PerClassSample.Choose(cache.Labels, 12, seed: 2).Chosen;              // 12 per type (the one basophil): 49 cells
        var options = new AdaptOptions(Epochs: 100, Views: 2, WeightDecay: 0.1, Seed: 2);
        int loads = 0;
        ClassificationMetrics cv = AdaptationCrossValidation.Run(() => { loads++; return ModelFile.Load(path); }, cache, cells, LabelLevel.Coarse, options, folds: 3);

        Assert.Equal(3, loads);                                                                   // a fresh model per fold
        Assert.Equal(Evaluator.FiveTypesLevel, cv.Level);
        Assert.Equal(cells.Length, cv.N);                                                         // every cell scored once
        double zeroShot = Evaluator.Evaluate(given, cache, cells, given.Normalization, [0], coarse: true, samples: 2, views: true).FiveTypes!.Accuracy;
        Assert.True(cv.Accuracy > zeroShot + 0.15, $"five-type accuracy: as given {zeroShot:0.000}, cross-validated adaptation {cv.Accuracy:0.000}");
        Assert.Throws<WbcNcaException>(() => AdaptationCrossValidation.Run(() => ModelFile.Load(path), cache, cells.Take(2).ToArray(), LabelLevel.Coarse, options, folds: 3));
    }
}
