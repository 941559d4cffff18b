using WbcNca.Data;
using WbcNca.Model;
using WbcNca.Training;

namespace WbcNca.Tests.Training;

/// <summary>A damaged or foreign training checkpoint stops <c>--resume</c> with one line naming it, and nothing is overwritten.</summary>
[Collection(TorchCollection.Name)]
public sealed class CheckpointDamageTests : IDisposable
{
    private static readonly NcaConfig Tiny = new(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 8, ClassifierHidden: 16, NumClasses: 3);
    private static readonly string[] Names = ["a", "b", "c"];
    private readonly string root = Directory.CreateTempSubdirectory("wbc-nca-ckpt-damage-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static ImageCache Cache()
    {
        var rng = new Random(4);
        int[] labels = Enumerable.Range(0, 12).Select(i => i % 3).ToArray();
        return ImageCache.FromArrays(Tiny.ImageSize, Enumerable.Range(0, labels.Length * 3 * 64).Select(_ => (float)rng.NextDouble()).ToArray(), labels);
    }

    private static TrainOptions Options(int epochs) => new(Epochs: epochs, BatchSize: 4, EpochSize: 8, Normalization: "image", Seed: 1);

    [Theory]
    [InlineData("truncated", "training checkpoint ends early (truncated)")]
    [InlineData("foreign", "not a wbc-nca training checkpoint")]
    [InlineData("empty", "not a readable training checkpoint")]
    public void Resuming_from_a_damaged_checkpoint_is_a_one_line_error_naming_it(string damage, string expected)
    {
        int[] train = Enumerable.Range(0, 9).ToArray(), validation = [9, 10, 11];
        var folder = new RunFolder(Path.Combine(root, damage));
        new Trainer(Tiny, Options(1), Cache(), train, validation, folder, Names).Run();
        byte[] good = File.ReadAllBytes(folder.Checkpoint);
        byte[] bad = damage switch
        {
            "truncated" => good[..(good.Length * 2 / 3)],
            "foreign" => File.ReadAllBytes(folder.LastModel),
            _ => [],
        };
        File.WriteAllBytes(folder.Checkpoint, bad);
        byte[] last = File.ReadAllBytes(folder.LastModel);

        var e = Assert.Throws<WbcNcaException>(() => new Trainer(Tiny, Options(2), Cache(), train, validation, folder, Names).Run(resume: true));

        Assert.StartsWith($"{folder.Checkpoint}: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(bad, File.ReadAllBytes(folder.Checkpoint));
        Assert.Equal(last, File.ReadAllBytes(folder.LastModel));
    }
}
