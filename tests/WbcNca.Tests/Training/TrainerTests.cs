using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.IO;
using WbcNca.Model;
using WbcNca.Training;

namespace WbcNca.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class TrainerTests : IDisposable
{
    private static readonly NcaConfig Tiny = new(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 8, ClassifierHidden: 16, NumClasses: 3);
    private static readonly string[] Names = ["a", "b", "c"];
    private readonly string root = Path.Combine(Path.GetTempPath(), "wbc-nca-trainer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    // Class c's images are bright in channel c: learnable in a few steps.
    private static ImageCache Synthetic(int perClass)
    {
        int s = Tiny.ImageSize, len = 3 * s * s;
        var rng = new Random(1);
        var labels = new int[3 * perClass];
        var data = new float[labels.Length * len];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % 3;
            for (int j = 0; j < len; j++) data[i * len + j] = (float)(0.3 * rng.NextDouble() + (j / (s * s) == labels[i] ? 0.6 : 0.1));
        }
        return ImageCache.FromArrays(s, data, labels);
    }

    private static TrainOptions Options(int epochs) => new(Epochs: epochs, BatchSize: 4, LearningRate: 3e-3, EpochSize: 12, Normalization: "image", Seed: 5);

    private static Dictionary<string, float[]> Weights(string path) =>
        SafeTensorsFile.Read(path).Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Data.ToArray());

    [Fact]
    public void A_run_interrupted_mid_epoch_and_resumed_ends_with_the_same_weights_as_an_uninterrupted_run()
    {
        var cache = Synthetic(8);
        int[] train = Enumerable.Range(0, 18).ToArray(), validation = Enumerable.Range(18, 6).ToArray();

        var straight = new RunFolder(Path.Combine(root, "straight"));
        new Trainer(Tiny, Options(2), cache, train, validation, straight, Names).Run();

        var broken = new RunFolder(Path.Combine(root, "broken"));
        using var cts = new CancellationTokenSource();
        var first = new Trainer(Tiny, Options(2), cache, train, validation, broken, Names)
            .Run(onBatch: p => { if (p.Epoch == 2 && p.Batch == 1) cts.Cancel(); }, cancel: cts.Token);
        Assert.False(first.Completed);
        Assert.Equal(1, TrainingCheckpoint.ReadState(broken.Checkpoint).Epoch);
        var resumed = new Trainer(Tiny, Options(2), cache, train, validation, broken, Names).Run(resume: true);
        Assert.True(resumed.Completed);
        Assert.Equal(2, resumed.State.History.Count);

        var a = Weights(straight.LastModel);
        var b = Weights(broken.LastModel);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (string key in a.Keys) Assert.Equal(a[key], b[key]);
    }

    [Fact]
    public void A_run_folder_holds_models_checkpoint_metrics_and_curves_and_the_best_model_loads_for_prediction()
    {
        var cache = Synthetic(4);
        var folder = new RunFolder(Path.Combine(root, "files"));
        var result = new Trainer(Tiny, Options(1), cache, Enumerable.Range(0, 9).ToArray(), Enumerable.Range(9, 3).ToArray(), folder, Names).Run();
        foreach (string f in new[] { folder.BestModel, folder.LastModel, folder.Checkpoint, folder.MetricsJson, folder.MetricsCsv, folder.CurvesPng })
            Assert.True(File.Exists(f), f);
        Assert.Equal(2, File.ReadAllLines(folder.MetricsCsv).Length);
        Assert.EndsWith(",seconds,validation_seconds", File.ReadAllLines(folder.MetricsCsv)[0]);
        EpochMetrics epoch = Assert.Single(result.State.History);
        Assert.InRange(epoch.ValidationSeconds, 1e-9, epoch.Seconds);   // the validation pass is timed, and is part of the epoch
        var bundle = ModelFile.Load(folder.BestModel);
        Assert.Equal(Tiny.ToJson(), bundle.Config.ToJson());
        Assert.Equal("image", bundle.Normalization.Name);
        Assert.Equal("5", bundle.Provenance["seed"]);
        Assert.Equal(1, result.State.BestEpoch);
        Assert.Equal(Options(1), TrainOptions.FromJson(result.State.Options));
    }

    [Fact]
    public void Resuming_with_other_training_options_is_refused()
    {
        var cache = Synthetic(4);
        var folder = new RunFolder(Path.Combine(root, "refuse"));
        int[] train = Enumerable.Range(0, 9).ToArray(), val = Enumerable.Range(9, 3).ToArray();
        new Trainer(Tiny, Options(1), cache, train, val, folder, Names).Run();
        var other = Options(2) with { LearningRate = 1e-2 };
        Assert.Throws<WbcNcaException>(() => new Trainer(Tiny, other, cache, train, val, folder, Names).Run(resume: true));
    }

    [SkippableFact]
    public void Training_on_a_small_real_Acevedo20_subset_lowers_the_loss()
    {
        string dir = SharedData.Require("data/acevedo20");
        var set = DatasetReader.Open("acevedo20", dir);
        var items = set.Items.GroupBy(i => i.Label).Where(g => g.Key is 0 or 1 or 2).SelectMany(g => g.Take(12)).ToArray();
        var config = new NcaConfig(Channels: 12, HiddenSize: 24, Steps: 6, ImageSize: 16);
        var cache = ImageCache.Load(items, config.ImageSize, 2);
        var folder = new RunFolder(Path.Combine(root, "real"));
        var options = new TrainOptions(Epochs: 6, BatchSize: 8, LearningRate: 3e-3, EpochSize: 24, Seed: 1, Augmentation: AugmentationOptions.None);
        var result = new Trainer(config, options, cache, Enumerable.Range(0, 36).ToArray(), Enumerable.Range(0, 36).ToArray(), folder, CellClasses.Fine).Run();
        var h = result.State.History;
        Assert.True(h[^1].ValidationLoss < h[0].ValidationLoss * 0.8, $"validation loss {h[0].ValidationLoss:0.000} → {h[^1].ValidationLoss:0.000}");
    }

    [Fact]
    public void The_learning_rate_decays_by_gamma_per_batch()
    {
        var schedule = new LearningRateSchedule(4e-4, 0.9999);
        Assert.Equal(4e-4, schedule.RateAt(0), 15);
        Assert.Equal(4e-4 * Math.Pow(0.9999, 1000), schedule.RateAt(1000), 15);
    }

    [Fact]
    public void Train_options_survive_a_json_round_trip()
    {
        var o = new TrainOptions(Epochs: 3, Loss: LossKind.BinaryCrossEntropy, Augmentation: AugmentationOptions.Stain, Normalization: "image");
        Assert.Equal(o, TrainOptions.FromJson(o.ToJson()));
    }

    [Fact]
    public void Metrics_recorded_before_validation_was_timed_still_read_with_zero_validation_seconds()
    {
        const string old = "{\"epoch\":2,\"train_loss\":1.5,\"train_accuracy\":0.4,\"validation_loss\":1.2,\"validation_accuracy\":0.5,"
                         + "\"validation_balanced_accuracy\":0.45,\"learning_rate\":0.001,\"seconds\":80.5}";
        EpochMetrics m = System.Text.Json.JsonSerializer.Deserialize<EpochMetrics>(old, TrainOptions.JsonOptions)!;
        Assert.Equal(2, m.Epoch);
        Assert.Equal(80.5, m.Seconds);
        Assert.Equal(0, m.ValidationSeconds);
    }
}
