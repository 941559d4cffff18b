using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Training;

namespace WbcNca.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class AdaptationCrossValidationTests
{
    [Fact]
    public void Dealing_cells_to_folds_spreads_every_label_over_the_folds_and_keeps_the_folds_within_one_cell_of_each_other()
    {
        int[] labels = [.. Enumerable.Repeat(0, 7), .. Enumerable.Repeat(1, 3), .. Enumerable.Repeat(2, 1), .. Enumerable.Repeat(3, 10)];
        int[] fold = AdaptationCrossValidation.Deal(labels, 3, seed: 5);
        int[] sizes = Enumerable.Range(0, 3).Select(f => fold.Count(x => x == f)).ToArray();
        Assert.True(sizes.Max() - sizes.Min() <= 1, string.Join(",", sizes));
        foreach (int label in new[] { 0, 1, 3 })
        {
            int[] perFold = Enumerable.Range(0, 3).Select(f => labels.Where((l, i) => l == label && fold[i] == f).Count()).ToArray();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"label {label}: {string.Join(",", perFold)}");
        }
        Assert.Equal(fold, AdaptationCrossValidation.Deal(labels, 3, seed: 5));      // the seed decides
        Assert.NotEqual(fold, AdaptationCrossValidation.Deal(labels, 3, seed: 6));
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
