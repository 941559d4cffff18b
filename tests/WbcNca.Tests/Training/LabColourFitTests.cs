using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Training;
using static TorchSharp.torch;

namespace WbcNca.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class LabColourFitTests
{
    // The model's answers over the five main types (its fine probabilities summed per type, renormalised) on the given
    // cells, in the first view with fixed masks.
    private static double[][] TypeAnswers(ModelBundle bundle, ImageCache cache, int[] cells, Normalization normalization)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var runs = WbcNca.Evaluation.Evaluator.RunProbabilities(bundle, WbcNca.Inference.TestTimeAveraging.Single, cache, cells, normalization, 0);
        float[] p = runs[0];
        int fine = CellClasses.FineCount;
        return cells.Select((_, i) =>
        {
            var types = new double[CellClasses.CoarseOther];
            for (int f = 0; f < fine; f++)
                if (CellClasses.CoarseOf(f) != CellClasses.CoarseOther) types[CellClasses.CoarseOf(f)] += p[i * fine + f];
            double sum = types.Sum();
            return types.Select(t => t / sum).ToArray();
        }).ToArray();
    }

    // Mean entropy (nats) of those answers.
    private static double MeanEntropy(ModelBundle bundle, ImageCache cache, int[] cells, Normalization normalization) =>
        TypeAnswers(bundle, cache, cells, normalization).Average(a => -a.Where(t => t > 0).Sum(t => t * Math.Log(t)));

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
        // The mean answers it reports are mixes over the five main types, and the colours changed them.
        foreach (double[] mix in new[] { fit.MixBefore, fit.MixAfter })
        {
            Assert.Equal(CellClasses.CoarseOther, mix.Length);
            Assert.Equal(1, mix.Sum(), 4);
        }
        Assert.True(fit.MixBefore.Zip(fit.MixAfter).Sum(t => Math.Abs(t.First - t.Second)) > 0.01, "the reported mix must follow the colours");

        var provenance = LabColourFit.WithProvenance(new Dictionary<string, string>(), fit);
        Assert.Contains("fitted without labels on 64 unlabelled cell(s), 12 steps", provenance["adapted_lab_colours"]);
        Assert.False(LabColourFit.WithProvenance(provenance, null).ContainsKey("adapted_lab_colours"));
        var perImage = bundle with { Normalization = Normalization.PerImage };
        Assert.Throws<WbcNcaException>(() => LabColourFit.Run(perImage, cache, cells, new LabColourOptions()));
        Assert.Throws<WbcNcaException>(() => LabColourFit.Run(bundle, cache, [], new LabColourOptions()));
        Assert.Throws<ArgumentException>(() => new LabColourOptions(Steps: 0).Validate());
    }

    [SkippableFact]
    public void The_colour_fit_spreads_the_answers_towards_the_mix_it_is_given()
    {
        var (bundle, cache) = JtscCells.Load();
        int[] cells = Enumerable.Range(0, 64).Select(i => i * cache.Count / 64).ToArray();   // across the set's types
        int neutrophil = CellClasses.IndexOf("neutrophil", LabelLevel.Coarse);
        double NeutrophilShare(TypeMix mix)
        {
            LabColourFitResult fit = LabColourFit.Run(bundle, cache, cells, new LabColourOptions(Steps: 12, Batch: 16, LearningRate: 0.1, Diversity: 3, Seed: 2, Mix: mix));
            Assert.Contains($"towards mix {mix}", LabColourFit.WithProvenance(new Dictionary<string, string>(), fit)["adapted_lab_colours"]);
            return TypeAnswers(bundle, cache, cells, fit.Normalization).Average(a => a[neutrophil]);
        }

        double even = NeutrophilShare(TypeMix.Even);
        double mostlyNeutrophils = NeutrophilShare(TypeMix.Parse("neutrophil=96,lymphocyte=1,monocyte=1,eosinophil=1,basophil=1"));

        // Same seed, cells and steps: only the mix differs (measured 0.394 → 0.456).
        Assert.True(mostlyNeutrophils > even + 0.03, $"mean neutrophil share: towards an even mix {even:0.000}, towards 96 % neutrophils {mostlyNeutrophils:0.000}");
    }
}
