using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Training;
using static TorchSharp.torch;

namespace WbcNca.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class LabColourFitTests
{
    // Mean entropy (nats) of the model's answers over the five main types on the given cells, in the first view with fixed masks.
    private static double MeanEntropy(ModelBundle bundle, ImageCache cache, int[] cells, Normalization normalization)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var runs = WbcNca.Evaluation.Evaluator.RunProbabilities(bundle, WbcNca.Inference.TestTimeAveraging.Single, cache, cells, normalization, 0);
        float[] p = runs[0];
        int fine = CellClasses.FineCount;
        double total = 0;
        for (int i = 0; i < cells.Length; i++)
        {
            var types = new double[CellClasses.CoarseOther];
            double sum = 0;
            for (int f = 0; f < fine; f++)
                if (CellClasses.CoarseOf(f) != CellClasses.CoarseOther) { types[CellClasses.CoarseOf(f)] += p[i * fine + f]; sum += p[i * fine + f]; }
            total -= types.Where(t => t > 0).Sum(t => t / sum * Math.Log(t / sum));
        }
        return total / cells.Length;
    }

    [SkippableFact]
    public void Fitting_the_colours_to_unlabelled_cells_makes_the_answers_surer_and_leaves_the_model_as_trained()
    {
        var (bundle, cache) = JtscCells.Load();
        int[] cells = Enumerable.Range(0, 64).ToArray();
        var weights = bundle.Classifier.parameters().Select(p => p.detach().clone()).ToArray();
        double before = MeanEntropy(bundle, cache, cells, bundle.Normalization);

        LabColourFitResult fit = LabColourFit.Run(bundle, cache, cells, new LabColourOptions(Steps: 12, Batch: 16, LearningRate: 0.1, Seed: 2));

        foreach (var (p, q) in bundle.Classifier.parameters().Zip(weights))
        {
            Assert.True(p.equal(q).all().item<bool>(), "the model's weights must stay as trained");
            Assert.True(p.requires_grad, "and trainable afterwards");
        }
        Assert.Equal(64, fit.Cells);
        Assert.Equal(bundle.Normalization.Name + HeadAdaptation.LabColours, fit.Normalization.Name);
        // The fold is the fitted gain and offset: the stored statistics reproduce them.
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(fit.Gain[c], bundle.Normalization.Std[c] / fit.Normalization.Std[c], 4);
            Assert.Equal(fit.Offset[c], (bundle.Normalization.Mean[c] - fit.Normalization.Mean[c]) / fit.Normalization.Std[c], 4);
        }
        Assert.True(fit.Gain.Zip(fit.Offset).Sum(t => Math.Abs(Math.Log(t.First)) + Math.Abs(t.Second)) > 0.05, "the colours must move");
        double after = MeanEntropy(bundle, cache, cells, fit.Normalization);
        Assert.True(after < before, $"the answers' entropy over the five main types {before:0.000} → {after:0.000}");

        var provenance = LabColourFit.WithProvenance(new Dictionary<string, string>(), fit);
        Assert.Contains("fitted without labels on 64 unlabelled cell(s), 12 steps", provenance["adapted_lab_colours"]);
        Assert.False(LabColourFit.WithProvenance(provenance, null).ContainsKey("adapted_lab_colours"));
        var perImage = bundle with { Normalization = Normalization.PerImage };
        Assert.Throws<WbcNcaException>(() => LabColourFit.Run(perImage, cache, cells, new LabColourOptions()));
        Assert.Throws<WbcNcaException>(() => LabColourFit.Run(bundle, cache, [], new LabColourOptions()));
        Assert.Throws<ArgumentException>(() => new LabColourOptions(Steps: 0).Validate());
    }
}
