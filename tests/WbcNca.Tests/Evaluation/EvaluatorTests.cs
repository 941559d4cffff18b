using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Imaging;
using WbcNca.Model;
using WbcNca.Training;
using static TorchSharp.torch;

namespace WbcNca.Tests.Evaluation;

/// <summary>Test-time averaging in evaluation: N mask draws per seed, averaged before the arg-max.</summary>
[Collection(TorchCollection.Name)]
public sealed class EvaluatorTests
{
    private static readonly NcaConfig Small = new(Channels: 12, HiddenSize: 16, Steps: 6, ImageSize: 8, ClassifierHidden: 10, NumClasses: CellClasses.FineCount);
    private static readonly int[] All = Enumerable.Range(0, 10).ToArray();

    private static ImageCache Cache()
    {
        int len = 3 * Small.ImageSize * Small.ImageSize;
        var rng = new Random(5);
        var data = Enumerable.Range(0, All.Length * len).Select(_ => (float)rng.NextDouble()).ToArray();
        return ImageCache.FromArrays(Small.ImageSize, data, All.Select(i => i % CellClasses.FineCount).ToArray());
    }

    private static ModelBundle Bundle(NcaConfig? config = null)
    {
        manual_seed(11);
        var model = new NcaClassifier(config ?? Small);
        using (no_grad())
            foreach (var p in model.parameters()) p.add_(randn_like(p) * 0.5f);   // masks matter: different draws give different probabilities
        return new ModelBundle(model, CellClasses.Fine, Normalization.PerImage, new Dictionary<string, string>());
    }

    private static long[][] Rows(ClassificationMetrics m) => m.Confusion.ToRows();

    [Fact]
    public void With_one_sample_evaluation_scores_exactly_the_single_run_of_each_mask_seed()
    {
        var bundle = Bundle();
        using var owner = bundle.Model;
        var cache = Cache();
        var report = Evaluator.Evaluate(bundle, cache, All, Normalization.PerImage, [3, 4], batchSize: 4, samples: 1);

        float[] single = CachedInference.Run(bundle.Model, cache, All, Normalization.PerImage, 3, 4).Probabilities;
        Assert.Equal(single, Evaluator.AveragedProbabilities(bundle.Model, cache, All, Normalization.PerImage, 3, 1, 4));   // bit for bit
        var expected = new ConfusionMatrix(CellClasses.Fine);
        foreach (long seed in new long[] { 3, 4 })
        {
            int[] predicted = CachedInference.ArgMax(CachedInference.Run(bundle.Model, cache, All, Normalization.PerImage, seed, 4).Probabilities, Small.NumClasses);
            for (int i = 0; i < All.Length; i++) expected.Add(cache.Labels[i], predicted[i]);
        }
        Assert.Equal(expected.ToRows(), Rows(report.Primary));
        Assert.Equal(1, report.Samples);
        Assert.Equal(Rows(report.Primary), Rows(Evaluator.Evaluate(bundle, cache, All, Normalization.PerImage, [3, 4], batchSize: 4).Primary));   // the default
    }

    [Fact]
    public void With_n_samples_the_probabilities_are_the_mean_of_the_n_single_seed_runs_and_the_scores_their_arg_max()
    {
        var bundle = Bundle();
        using var owner = bundle.Model;
        var cache = Cache();
        const int n = 3;
        float[] averaged = Evaluator.AveragedProbabilities(bundle.Model, cache, All, Normalization.PerImage, 5, n, 4);
        float[][] runs = Enumerable.Range(0, n).Select(k => CachedInference.Run(bundle.Model, cache, All, Normalization.PerImage, 5 + k, 4).Probabilities).ToArray();
        for (int i = 0; i < averaged.Length; i++) Assert.Equal(runs.Average(r => (double)r[i]), averaged[i], 1e-6);
        Assert.True(Enumerable.Range(0, averaged.Length).Max(i => Math.Abs(averaged[i] - runs[0][i])) > 1e-3, "the draws should differ, or the test shows nothing");

        var report = Evaluator.Evaluate(bundle, cache, All, Normalization.PerImage, [5, 20], batchSize: 4, samples: n);
        var expected = new ConfusionMatrix(CellClasses.Fine);
        foreach (long seed in new long[] { 5, 20 })
        {
            int[] predicted = CachedInference.ArgMax(Evaluator.AveragedProbabilities(bundle.Model, cache, All, Normalization.PerImage, seed, n, 4), Small.NumClasses);
            for (int i = 0; i < All.Length; i++) expected.Add(cache.Labels[i], predicted[i]);
        }
        Assert.Equal(expected.ToRows(), Rows(report.Primary));
        Assert.Equal(2, report.PerSeed.Count);
        using var json = System.Text.Json.JsonDocument.Parse(report.ToJson());
        Assert.Equal(n, json.RootElement.GetProperty("samples").GetInt32());
    }

    [Fact]
    public void With_views_draw_k_sees_view_k_of_every_image_and_a_deterministic_model_runs_once_per_view()
    {
        var bundle = Bundle();
        using var owner = bundle.Model;
        var cache = Cache();
        const int n = 3;
        float[] averaged = Evaluator.AveragedProbabilities(bundle.Model, cache, All, Normalization.PerImage, 5, n, 4, views: true);
        float[][] runs = Enumerable.Range(0, n).Select(k => CachedInference.Run(bundle.Model, cache, All, Normalization.PerImage, 5 + k, 4, view: k).Probabilities).ToArray();
        for (int i = 0; i < averaged.Length; i++) Assert.Equal(runs.Average(r => (double)r[i]), averaged[i], 1e-6);
        float[] masksOnly = Evaluator.AveragedProbabilities(bundle.Model, cache, All, Normalization.PerImage, 5, n, 4);
        Assert.True(Enumerable.Range(0, averaged.Length).Max(i => Math.Abs(averaged[i] - masksOnly[i])) > 1e-4, "views should change the draws");

        var report = Evaluator.Evaluate(bundle, cache, All, Normalization.PerImage, [5], batchSize: 4, samples: n, views: true);
        using (var json = System.Text.Json.JsonDocument.Parse(report.ToJson()))
            Assert.True(json.RootElement.GetProperty("views").GetBoolean());
        var deterministic = Bundle(Small with { UpdateProbability = 1.0 });
        using var owner2 = deterministic.Model;
        Assert.Equal(8, Evaluator.Evaluate(deterministic, cache, All, Normalization.PerImage, [0], batchSize: 4, samples: 12, views: true).Samples);
    }

    [Fact]
    public void A_model_with_fire_rate_one_is_run_once_whatever_samples_are_asked()
    {
        var bundle = Bundle(Small with { UpdateProbability = 1.0 });
        using var owner = bundle.Model;
        var report = Evaluator.Evaluate(bundle, Cache(), All, Normalization.PerImage, [0], batchSize: 4, samples: 4);
        Assert.Equal(1, report.Samples);
        using var stochastic = Bundle().Model;
        Assert.Equal(4, Evaluator.EffectiveSamples(stochastic, 4));
    }
}
