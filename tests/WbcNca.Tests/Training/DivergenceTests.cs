using WbcNca.Data;
using WbcNca.Model;
using WbcNca.Training;

namespace WbcNca.Tests.Training;

/// <summary>A run whose loss stops being finite ends with a one-line error and leaves the last good epoch's files untouched.</summary>
[Collection(TorchCollection.Name)]
public sealed class DivergenceTests : IDisposable
{
    private static readonly NcaConfig Tiny = new(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 8, ClassifierHidden: 16, NumClasses: 3);
    private static readonly string[] Names = ["a", "b", "c"];
    private readonly string root = Directory.CreateTempSubdirectory("wbc-nca-divergence-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static ImageCache Cache(float value)
    {
        int len = 3 * Tiny.ImageSize * Tiny.ImageSize;
        var rng = new Random(3);
        var labels = Enumerable.Range(0, 12).Select(i => i % 3).ToArray();
        var data = new float[labels.Length * len];
        for (int i = 0; i < data.Length; i++) data[i] = float.IsFinite(value) ? (float)rng.NextDouble() : value;
        return ImageCache.FromArrays(Tiny.ImageSize, data, labels);
    }

    private static TrainOptions Options(int epochs) => new(Epochs: epochs, BatchSize: 4, LearningRate: 3e-3, EpochSize: 8, Normalization: "acevedo20", Seed: 2);

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "NaN")]
    public void A_loss_that_stops_being_finite_ends_the_run_and_keeps_the_last_good_epochs_files(float poison, string shownAs)
    {
        int[] train = Enumerable.Range(0, 9).ToArray(), validation = Enumerable.Range(9, 3).ToArray();
        var folder = new RunFolder(Path.Combine(root, Guid.NewGuid().ToString("N")));
        new Trainer(Tiny, Options(1), Cache(0.5f), train, validation, folder, Names).Run();
        string[] files = [folder.Checkpoint, folder.LastModel, folder.BestModel, folder.MetricsJson];
        var before = files.ToDictionary(f => f, File.ReadAllBytes);

        // The same run continued on inputs that are not finite (as a broken reader could deliver): the loss is NaN.
        var e = Assert.Throws<WbcNcaException>(() => new Trainer(Tiny, Options(3), Cache(poison), train, validation, folder, Names).Run(resume: true));

        Assert.Equal($"{folder.Path}: training stopped: the loss is {shownAs} at epoch 2, batch 1; the run folder keeps epoch 1 (training.ckpt, last.safetensors, best.safetensors), saved before this happened; lower --lr or check the data", e.Message);
        foreach (string f in files) Assert.True(before[f].AsSpan().SequenceEqual(File.ReadAllBytes(f)), $"{f} changed");
        Assert.Equal(1, TrainingCheckpoint.ReadState(folder.Checkpoint).Epoch);
        var resumed = new Trainer(Tiny, Options(2), Cache(0.5f), train, validation, folder, Names).Run(resume: true);
        Assert.True(resumed.Completed);
        Assert.All(resumed.State.History, m => Assert.True(double.IsFinite(m.TrainLoss)));
    }
}
