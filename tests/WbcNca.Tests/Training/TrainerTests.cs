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
        var e = Assert.Throws<WbcNcaException>(() => new Trainer(Tiny, other, cache, train, val, folder, Names).Run(resume: true));
        Assert.Contains("was made with --lr 0.003, not 0.01", e.Message);
    }

    [SkippableFact]
    public void Training_on_a_small_real_Acevedo20_subset_lowers_the_loss_on_cells_it_did_not_train_on()
    {
        string dir = SharedData.Require("data/acevedo20");
        var set = DatasetReader.Open("acevedo20", dir);
        // Basophils, eosinophils and erythroblasts: 12 of each to train on, 8 other ones of each to validate on.
        var byClass = set.Items.Where(i => i.Label is 0 or 1 or 2).GroupBy(i => i.Label).OrderBy(g => g.Key).Select(g => g.OrderBy(i => i.RelativePath, StringComparer.Ordinal).ToArray()).ToArray();
        var items = byClass.SelectMany(g => g.Take(12)).Concat(byClass.SelectMany(g => g.Skip(12).Take(8))).ToArray();
        var config = new NcaConfig(Channels: 12, HiddenSize: 24, Steps: 6, ImageSize: 16);
        var cache = ImageCache.Load(items, config.ImageSize, 2);
        var folder = new RunFolder(Path.Combine(root, "real"));
        var options = new TrainOptions(Epochs: 16, BatchSize: 6, LearningRate: 3e-3, EpochSize: 36, Seed: 1, Augmentation: AugmentationOptions.None);
        int[] train = Enumerable.Range(0, 36).ToArray(), validation = Enumerable.Range(36, 24).ToArray();
        Assert.Empty(train.Select(i => cache.Items[i].Path).Intersect(validation.Select(i => cache.Items[i].Path)));
        var result = new Trainer(config, options, cache, train, validation, folder, CellClasses.Fine).Run();
        var h = result.State.History;
        string history = string.Join(", ", h.Select(e => $"{e.ValidationLoss:0.000}"));
        Assert.True(h[^1].ValidationLoss < h[0].ValidationLoss * 0.8, $"validation loss per epoch: {history}");
    }

    // The learning rate of every optimiser step of a tiny run, as the optimiser held it (3 batches per epoch).
    private List<double> Rates(TrainOptions options, string name)
    {
        var cache = Synthetic(4);
        var rates = new List<double>();
        new Trainer(Tiny, options, cache, Enumerable.Range(0, 9).ToArray(), Enumerable.Range(9, 3).ToArray(), new RunFolder(Path.Combine(root, name)), Names)
            .Run(onBatch: p => rates.Add(p.LearningRate!.Value));
        Assert.Equal(options.Epochs * 3, rates.Count);
        return rates;
    }

    [Fact]
    public void The_first_batches_of_a_run_report_no_eta_and_the_later_ones_do()
    {
        var cache = Synthetic(4);
        var progress = new List<TrainingProgress>();
        new Trainer(Tiny, Options(2), cache, Enumerable.Range(0, 9).ToArray(), Enumerable.Range(9, 3).ToArray(), new RunFolder(Path.Combine(root, "eta")), Names)
            .Run(onBatch: progress.Add);
        int estimating = TrainingEta.WarmupBatches + TrainingEta.MeasuredBatches - 1;
        Assert.Equal(6, progress.Count);
        Assert.All(progress.Take(estimating), p => Assert.Null(p.RunEta));
        Assert.All(progress.Skip(estimating), p => Assert.NotNull(p.RunEta));
        // The last batch: no batch left, but the last epoch's validation and saving, timed at the end of the first epoch.
        Assert.Equal(TimeSpan.Zero, progress[^1].EpochEta);
        Assert.True(progress[^1].RunEta > TimeSpan.Zero);
    }

    [Fact]
    public void By_default_the_trainer_multiplies_the_learning_rate_by_the_papers_0_9999_every_batch()
    {
        List<double> rates = Rates(Options(2), "exp");
        Assert.Equal(3e-3, rates[0]);
        for (int i = 1; i < rates.Count; i++) Assert.Equal(0.9999, rates[i] / rates[i - 1], 12);
    }

    [Fact]
    public void A_cosine_schedule_after_warm_up_starts_at_the_rate_and_ends_exactly_at_the_final_fraction_on_the_last_batch()
    {
        // 2 epochs × 3 batches = 6 steps: 2 of warm-up, then cosine over 4 steps (t = 0 … 3).
        List<double> rates = Rates(Options(2) with { LrSchedule = LearningRateScheduleKind.Cosine, Warmup = 2, FinalLrFraction = 0.2 }, "cosine");
        const double lr = 3e-3, final = 0.2 * lr;
        Assert.Equal(lr / 2, rates[0]);
        Assert.Equal(lr, rates[1]);
        Assert.Equal(lr, rates[2]);
        Assert.Equal(final + (lr - final) * 0.75, rates[3], 1e-18);   // t = 1 of 3: (1 + cos(π/3)) / 2 = 3/4
        Assert.Equal(final + (lr - final) * 0.25, rates[4], 1e-18);
        Assert.Equal(final, rates[5]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Automatic_decay_ends_exactly_at_the_final_fraction_whatever_the_epoch_count(int epochs)
    {
        List<double> rates = Rates(Options(epochs) with { DecayAuto = true, FinalLrFraction = 0.25 }, $"auto-{epochs}");
        Assert.Equal(3e-3, rates[0]);
        Assert.Equal(0.25 * 3e-3, rates[^1]);
        double gamma = Math.Pow(0.25, 1.0 / (rates.Count - 1));
        for (int i = 1; i < rates.Count; i++) Assert.Equal(gamma, rates[i] / rates[i - 1], 12);
    }

    [Fact]
    public void Changing_the_epochs_of_a_run_whose_schedule_spans_the_run_is_refused_on_resume()
    {
        var cache = Synthetic(4);
        var folder = new RunFolder(Path.Combine(root, "auto-resume"));
        int[] train = Enumerable.Range(0, 9).ToArray(), val = Enumerable.Range(9, 3).ToArray();
        new Trainer(Tiny, Options(1) with { DecayAuto = true }, cache, train, val, folder, Names).Run();
        var e = Assert.Throws<WbcNcaException>(() => new Trainer(Tiny, Options(2) with { DecayAuto = true }, cache, train, val, folder, Names).Run(resume: true));
        Assert.Contains("was made with --epochs 1 and a learning-rate schedule fitted to the whole run", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Options_saved_before_the_schedule_keys_existed_read_as_the_papers_exponential_decay()
    {
        // The JSON of a run made before --lr-schedule/--decay auto/--final-lr-fraction/--warmup existed.
        const string old = """
            {"epochs":32,"batch_size":16,"learning_rate":0.0004,"beta1":0.9,"beta2":0.999,"decay":0.9999,"loss":"cross_entropy","epoch_size":0,
             "seed":1,"folds":5,"fold":0,"split_seed":0,"validation_fraction":0.1,"normalization":"acevedo20",
             "augmentation":{"rotate":true,"flip":true,"brightness":0,"contrast":0,"saturation":0,"hue":0,"hed":0,"zoom":1},"validation_seed":0}
            """;
        TrainOptions options = TrainOptions.FromJson(old);
        Assert.Equal(LearningRateScheduleKind.Exp, options.LrSchedule);
        Assert.False(options.DecayAuto);
        Assert.Equal(0, options.Warmup);
        Assert.Equal(0.9999, options.Decay);
        var schedule = LearningRateSchedule.For(options, 32 * 1000);
        foreach (long step in new long[] { 0, 1, 500, 31_999 }) Assert.Equal(4e-4 * Math.Pow(0.9999, step), schedule.RateAt(step), 1e-18);
        Assert.Null(new TrainOptions(Augmentation: new AugmentationOptions()).ResumeConflict(options));   // an old run resumes under today's defaults
        Assert.Null(new TrainOptions(Epochs: 40).ResumeConflict(options));                               // and may still get more epochs
    }

    [Theory]
    [InlineData("cosine", null, "was made with --lr-schedule exp, not cosine")]
    [InlineData(null, "auto", "was made with --decay 0.9999, not auto")]
    [InlineData(null, "0.999", "was made with --decay 0.9999, not 0.999")]
    public void A_refused_resume_names_the_option_that_differs(string? schedule, string? decay, string expected)
    {
        var saved = new TrainOptions();
        var now = saved with
        {
            LrSchedule = schedule == "cosine" ? LearningRateScheduleKind.Cosine : LearningRateScheduleKind.Exp,
            DecayAuto = decay == "auto",
            Decay = decay is "auto" or null ? saved.Decay : double.Parse(decay, System.Globalization.CultureInfo.InvariantCulture),
        };
        Assert.Equal($"{expected} (only --epochs may change on --resume)", now.ResumeConflict(saved));
        Assert.Equal("was made with --warmup 0, not 10 (only --epochs may change on --resume)", (saved with { Warmup = 10 }).ResumeConflict(saved));
        Assert.Equal("was made with beta1 = 0.9, not 0.8 (only --epochs may change on --resume)", (saved with { Beta1 = 0.8 }).ResumeConflict(saved));
        Assert.Equal("was made with --hue 0, not 0.1 (only --epochs may change on --resume)",
            (saved with { Augmentation = new AugmentationOptions(Hue: 0.1) }).ResumeConflict(saved));
    }

    [Fact]
    public void A_warm_up_as_long_as_the_run_is_a_one_line_user_error()
    {
        var e = Assert.Throws<WbcNcaException>(() => LearningRateSchedule.For(new TrainOptions(Warmup: 10), 10));
        Assert.Contains("--warmup 10", e.Message);
    }

    [Fact]
    public void Train_options_survive_a_json_round_trip()
    {
        var o = new TrainOptions(Epochs: 3, Loss: LossKind.BinaryCrossEntropy, Augmentation: AugmentationOptions.Stain, Normalization: "image",
            LrSchedule: LearningRateScheduleKind.Cosine, FinalLrFraction: 0.05, Warmup: 100);
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
