using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Inference;

[Collection(TorchCollection.Name)]
public class PredictorTests
{
    private static readonly NcaConfig Tiny = new(Channels: 8, HiddenSize: 16, Steps: 6, ImageSize: 10, ClassifierHidden: 12, NumClasses: 13);

    private static Predictor RandomPredictor()
    {
        var model = NcaClassifier.Create(Tiny, 1);
        WbcNca.Tests.Model.RandomWeights.Fill(model, 4, 0.5);
        return new Predictor(new ModelBundle(model, CellClasses.Fine, Normalization.PerImage, new Dictionary<string, string>()));
    }

    private static List<float[]> Images(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 300).Select(_ => (float)rng.NextDouble() * 2 - 1).ToArray()).ToList();
    }

    [Fact]
    public void Default_mode_gives_the_same_answer_for_the_same_image_every_time()
    {
        var predictor = RandomPredictor();
        var images = Images(3, 1);
        var a = predictor.Predict(images, new PredictOptions());
        var b = predictor.Predict(images, new PredictOptions());
        for (int i = 0; i < 3; i++) Assert.Equal(a[i].Logits, b[i].Logits);

        // The same answer because the masks are fixed, not because they are left out: it is the model run with the masks
        // of the documented seed 0 (at the model's p = 0.5), and differs from running without masks (every cell firing).
        NcaClassifier model = predictor.Bundle.Classifier;
        using var x = tensor(images.SelectMany(v => v).ToArray(), [3, 3, Tiny.ImageSize, Tiny.ImageSize]);
        using var seed0 = UpdateMask.Seeded(Tiny.Steps, Tiny.ImageSize, 0.5, seed: 0);
        using var _ = no_grad();
        float[] withSeed0 = model.forward(x, seed0).data<float>().ToArray();
        float[] withoutMasks = model.forward(x, null).data<float>().ToArray();
        for (int i = 0; i < 3; i++)
        {
            float[] want = withSeed0[(i * 13)..((i + 1) * 13)], unmasked = withoutMasks[(i * 13)..((i + 1) * 13)];
            // The default engine is the fused kernel, which agrees with libtorch to float rounding.
            for (int c = 0; c < 13; c++) Assert.True(Math.Abs(a[i].Logits[c] - want[c]) <= 1e-4 * Math.Max(1, Math.Abs(want[c])), $"image {i} class {c}");
            Assert.True(a[i].Logits.Zip(unmasked).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, $"image {i}: the masks made no difference");
        }
    }

    [Fact]
    public void Answer_for_an_image_does_not_depend_on_batch_size()
    {
        var predictor = RandomPredictor();
        var images = Images(5, 2);
        var a = predictor.Predict(images, new PredictOptions(BatchSize: 5));
        var b = predictor.Predict(images, new PredictOptions(BatchSize: 2));
        // The default (fused) engine blocks its sums by batch, so logits agree to float rounding, not bit for bit.
        for (int i = 0; i < 5; i++)
            for (int c = 0; c < 13; c++) Assert.True(Math.Abs(a[i].Logits[c] - b[i].Logits[c]) <= 1e-4 * Math.Max(1, Math.Abs(a[i].Logits[c])), $"image {i} class {c}: {a[i].Logits[c]} vs {b[i].Logits[c]}");
    }

    [Fact]
    public void Other_mask_seeds_give_other_logits()
    {
        var predictor = RandomPredictor();
        var images = Images(1, 3);
        var a = predictor.Predict(images, new PredictOptions(Seed: 0));
        var b = predictor.Predict(images, new PredictOptions(Seed: 1));
        Assert.NotEqual(a[0].Logits, b[0].Logits);
    }

    [Fact]
    public void Several_samples_report_mean_probabilities_and_a_nonzero_uncertainty()
    {
        var predictor = RandomPredictor();
        var images = Images(2, 4);
        var many = predictor.Predict(images, new PredictOptions(Samples: 5));
        var singles = Enumerable.Range(0, 5).Select(s => predictor.Predict(images, new PredictOptions(Seed: s))).ToList();
        for (int c = 0; c < 13; c++)
            Assert.Equal(singles.Average(r => r[0].Probabilities[c]), many[0].Probabilities[c], 5);
        Assert.True(many[0].ProbabilityStd.Max() > 0);
        Assert.Equal(1.0, many[0].Probabilities.Sum(), 4);
        Assert.Equal(Array.IndexOf(many[0].Probabilities, many[0].Probabilities.Max()), many[0].Index);
    }

    private static float[] Turned(float[] image, int view)
    {
        using var t = tensor(image, [1, 3, 10, 10]);
        using var v = DihedralView.Apply(t, view).contiguous();
        return v.data<float>().ToArray();
    }

    [Fact]
    public void With_views_each_run_sees_the_cell_turned_or_mirrored_and_the_answer_is_the_mean_of_those_runs()
    {
        var predictor = RandomPredictor();
        var images = Images(2, 6);
        const int n = 8;
        var viewed = predictor.Predict(images, new PredictOptions(Samples: n, Views: true));
        // Run k by hand: view k of each image (3×10×10 values), masks of seed k.
        var runs = Enumerable.Range(0, n).Select(k => predictor.Predict(images.Select(img => Turned(img, k)).ToList(), new PredictOptions(Seed: k))).ToList();
        for (int i = 0; i < images.Count; i++)
            for (int c = 0; c < 13; c++)
                Assert.Equal(runs.Average(r => r[i].Probabilities[c]), viewed[i].Probabilities[c], 5);
        var masksOnly = predictor.Predict(images, new PredictOptions(Samples: n));
        Assert.True(Enumerable.Range(0, 13).Max(c => Math.Abs(masksOnly[0].Probabilities[c] - viewed[0].Probabilities[c])) > 1e-4, "views should change the runs");
        // A deterministic run (p = 1) still gets one run per view: the mean over the views of the runs by hand.
        var fixedRuns = predictor.Predict(images, new PredictOptions(Samples: 4, UpdateProbability: 1, Views: true));
        var byHand = Enumerable.Range(0, 4).Select(k => predictor.Predict([Turned(images[0], k)], new PredictOptions(UpdateProbability: 1))[0]).ToList();
        Assert.NotEqual(byHand[0].Logits, byHand[1].Logits);
        for (int c = 0; c < 13; c++)
        {
            double expected = byHand.Average(r => r.Logits[c]);   // large logits: compare relative to their size
            Assert.True(Math.Abs(expected - fixedRuns[0].Logits[c]) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"class {c}: {expected} against {fixedRuns[0].Logits[c]}");
        }
    }

    [Fact]
    public void Update_probability_one_is_deterministic_whatever_the_seed()
    {
        var predictor = RandomPredictor();
        var images = Images(1, 5);
        var a = predictor.Predict(images, new PredictOptions(Seed: 0, UpdateProbability: 1, Samples: 3));
        var b = predictor.Predict(images, new PredictOptions(Seed: 9, UpdateProbability: 1));
        Assert.Equal(a[0].Logits, b[0].Logits);
        Assert.All(a[0].ProbabilityStd, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(0, 0.5, 16)]
    [InlineData(1, 0.0, 16)]
    [InlineData(1, 1.5, 16)]
    [InlineData(1, 0.5, 0)]
    public void Out_of_range_options_are_refused(int samples, double p, int batch) =>
        Assert.Throws<WbcNcaException>(() => RandomPredictor().Predict(Images(1, 1), new PredictOptions(samples, 0, p, batch)));
}
