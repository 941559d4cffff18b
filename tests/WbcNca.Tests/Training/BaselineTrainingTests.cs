using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Model;
using WbcNca.Model.Baselines;
using WbcNca.Tests.Model;
using WbcNca.Training;
using static TorchSharp.torch;

namespace WbcNca.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class BaselineTrainingTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wbc-nca-baselines-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Two real Acevedo-20 images of each class present (the first by path), decoded at <paramref name="size"/>.</summary>
    private static ImageCache RealSubset(int size)
    {
        string path = SharedData.Require("data/acevedo20");
        subset ??= DatasetReader.Open("acevedo20", path).Items.GroupBy(i => i.Label).OrderBy(g => g.Key)
            .SelectMany(g => g.OrderBy(i => i.RelativePath, StringComparer.Ordinal).Take(2)).ToArray();
        return ImageCache.Load(subset, size, threads: 2);
    }

    private static LabeledImage[]? subset;   // listed once for the class's tests

    /// <summary>Cross-entropy of full-batch Adam steps on the whole subset: (first, last).</summary>
    private static (double First, double Last) TrainSteps(ICellClassifier model, ImageCache cache, int steps, double lr)
    {
        int[] all = Enumerable.Range(0, cache.Count).ToArray();
        model.Module.train();
        using var optimizer = optim.Adam(model.Module.parameters(), lr);
        using var gen = new Generator(1);
        var (x, y) = Trainer.MakeBatch(cache, all, new AugmentationOptions(Rotate: false, Flip: false), Normalization.Acevedo20, gen);
        double first = 0, last = 0;
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss = nn.functional.cross_entropy(model.Forward(x, null), y);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        x.Dispose();
        y.Dispose();
        return (first, last);
    }

    [SkippableFact]
    public void A_narrow_resnext_lowers_its_loss_on_a_few_real_cells()
    {
        ImageCache cache = RealSubset(16);
        using var model = ResNetClassifier.Create(ResNetClassifierTests.TinyResNeXt, ModelSpec.ResNeXt50Arch, seed: 1);
        var (first, last) = TrainSteps(model, cache, steps: 12, lr: 3e-3);
        Assert.True(last < 0.7 * first, $"loss went from {first:0.000} to {last:0.000}");
    }

    [SkippableFact]
    public void A_narrow_resnet18_lowers_its_loss_on_a_few_real_cells()
    {
        ImageCache cache = RealSubset(32);
        using var model = ResNetClassifier.Create(ResNetClassifierTests.TinyResNet18, ModelSpec.ResNet18Arch, seed: 1);
        var (first, last) = TrainSteps(model, cache, steps: 12, lr: 3e-3);
        Assert.True(last < 0.7 * first, $"loss went from {first:0.000} to {last:0.000}");
    }

    [SkippableFact]
    public void The_autoencoder_lowers_its_reconstruction_error_on_a_few_real_cells_and_its_forest_fits_their_classes()
    {
        ImageCache cache = RealSubset(16);
        int[] all = Enumerable.Range(0, cache.Count).ToArray();
        using var model = AeCfeClassifier.Create(AeCfeTests.Tiny, seed: 1);
        ConvAutoencoder ae = model.Autoencoder;
        ae.train();
        using var optimizer = optim.Adam(ae.parameters(), 3e-3);
        using var gen = new Generator(1);
        var (x, y) = Trainer.MakeBatch(cache, all, new AugmentationOptions(Rotate: false, Flip: false), Normalization.Acevedo20, gen);
        double first = 0, last = 0;
        for (int step = 0; step < 15; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss = nn.functional.mse_loss(ae.forward(x), x);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < 0.8 * first, $"reconstruction error went from {first:0.000} to {last:0.000}");
        ae.eval();
        int[] labels = all.Select(i => cache.Labels[i]).ToArray();
        model.Forest = RandomForest.Fit(model.Features(x), all.Length, AeCfeTests.Tiny.Bottleneck, labels, 13, trees: 20, seed: 1);
        using var logits = model.Forward(x, null);
        Assert.Equal([all.Length, 13], logits.shape);
        int correct = labels.Where((l, i) => logits[i].argmax().item<long>() == l).Count();
        Assert.True(correct > all.Length / 2, $"the forest fits {correct} of {all.Length} of its own training cells");
        x.Dispose();
        y.Dispose();
    }

    [Fact]
    public void The_trainer_runs_a_cnn_through_an_epoch_and_saves_a_model_that_loads_as_that_cnn()
    {
        var cache = Synthetic(16, 12);
        var spec = ModelSpec.ForResNet(ModelSpec.ResNeXt50Arch, ResNetClassifierTests.TinyResNeXt);
        var folder = new RunFolder(Path.Combine(root, "cnn"));
        var options = new TrainOptions(Epochs: 1, BatchSize: 8, LearningRate: 3e-3, EpochSize: 16, Normalization: "image", Seed: 2);
        var reports = new List<TrainingProgress>();
        var result = new Trainer(spec, options, cache, Enumerable.Range(0, 20).ToArray(), Enumerable.Range(20, 6).ToArray(), folder, CellClasses.Fine).Run(onBatch: reports.Add);
        Assert.True(result.Completed);
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.InRange(r.Accuracy ?? -1, 0.0, 1.0));
        ModelBundle best = ModelFile.Load(folder.BestModel);
        using (best.Model)
        {
            Assert.Equal(ModelSpec.ResNeXt50Arch, best.Spec.Arch);
            Assert.Equal(spec.ConfigJson(), best.Spec.ConfigJson());
        }
    }

    [Fact]
    public void The_autoencoder_trainer_runs_an_epoch_and_saves_autoencoder_and_forest_that_load_and_resume()
    {
        var cache = Synthetic(16, 12);
        var spec = ModelSpec.ForAeCfe(AeCfeTests.Tiny);
        int[] train = Enumerable.Range(0, 20).ToArray(), validation = Enumerable.Range(20, 6).ToArray();
        var unlabelled = ImageCache.FromArrays(16, cache.Gather(train), new int[train.Length]);
        var folder = new RunFolder(Path.Combine(root, "ae"));
        var options = new TrainOptions(Epochs: 1, BatchSize: 8, LearningRate: 3e-3, EpochSize: 16, Normalization: "image", Seed: 2);
        var reports = new List<TrainingProgress>();
        var first = new AeCfeTrainer(spec, options, cache, train, validation, unlabelled, folder, CellClasses.Fine).Run(onBatch: reports.Add);
        Assert.True(first.Completed);
        // the autoencoder has no class output while it trains: its batches report a loss and no accuracy
        Assert.NotEmpty(reports);
        Assert.All(reports, r => { Assert.Null(r.Accuracy); Assert.True(r.Loss > 0); });
        var resumed = new AeCfeTrainer(spec, options with { Epochs = 2 }, cache, train, validation, unlabelled, folder, CellClasses.Fine).Run(resume: true);
        Assert.Equal(2, resumed.State.Epoch);
        Assert.Equal(2, resumed.State.History.Count);
        ModelBundle last = ModelFile.Load(folder.LastModel);
        using (last.Model)
        {
            Assert.Equal(ModelSpec.AeCfeArch, last.Spec.Arch);
            Assert.NotNull(((AeCfeClassifier)last.Model).Forest);
        }
    }

    // 26 synthetic images: class i % 13 is bright in colour channel i % 3 with a class-dependent level.
    private static ImageCache Synthetic(int size, int seed)
    {
        int len = 3 * size * size, n = 26;
        var rng = new Random(seed);
        var labels = new int[n];
        var data = new float[n * len];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 13;
            for (int j = 0; j < len; j++) data[i * len + j] = (float)(0.2 * rng.NextDouble() + (j / (size * size) == labels[i] % 3 ? 0.3 + 0.05 * labels[i] : 0.1));
        }
        return ImageCache.FromArrays(size, data, labels);
    }
}
