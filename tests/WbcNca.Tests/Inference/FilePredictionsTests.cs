using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Model;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Inference;

/// <summary>Files are classified as a stream: memory holds one chunk, whatever the number of files.</summary>
[Collection(TorchCollection.Name)]
public sealed class FilePredictionsTests : IDisposable
{
    private static readonly NcaConfig Tiny = new(Channels: 8, HiddenSize: 16, Steps: 4, ImageSize: 8, ClassifierHidden: 12, NumClasses: 13);
    private readonly TempFolder dir = new();
    private readonly Predictor predictor;
    private readonly ImagePreprocessor preprocessor = new(Tiny.ImageSize, Normalization.PerImage);

    public FilePredictionsTests()
    {
        var model = NcaClassifier.Create(Tiny, 1);
        WbcNca.Tests.Model.RandomWeights.Fill(model, 2, 0.5);
        predictor = new Predictor(new ModelBundle(model, CellClasses.Fine, Normalization.PerImage, new Dictionary<string, string>()));
    }

    public void Dispose() => dir.Dispose();

    private string Good(int i) => dir.Write($"good{i}.png", TestImages.Png(TestImages.Pattern(10 + i, 9)));

    [Fact]
    public void A_long_stream_of_files_is_read_at_most_one_chunk_ahead_of_the_answers()
    {
        string[] files = [Good(0), Good(1), Good(2)];
        const int count = 400, chunk = 16;
        int pulled = 0;
        IEnumerable<string> Paths()
        {
            for (int i = 0; i < count; i++)
            {
                pulled++;
                yield return files[i % files.Length];
            }
        }

        int answered = 0, mostAhead = 0;
        foreach (FilePrediction r in FilePredictions.Run(predictor, preprocessor, Paths(), new PredictOptions(BatchSize: 8), skipUnreadable: false, chunkSize: chunk))
        {
            Assert.Equal(files[answered % files.Length], r.Path);
            Assert.NotNull(r.Prediction);
            answered++;
            mostAhead = Math.Max(mostAhead, pulled - answered);
        }
        Assert.Equal(count, answered);
        Assert.InRange(mostAhead, 1, chunk);   // never more than one chunk of decoded images waiting
    }

    [Fact]
    public void A_consumer_that_stops_early_leaves_the_rest_of_the_files_unread()
    {
        string file = Good(0);
        int pulled = 0;
        IEnumerable<string> Endless()
        {
            while (true)
            {
                pulled++;
                yield return file;
            }
        }
        var first = FilePredictions.Run(predictor, preprocessor, Endless(), new PredictOptions(BatchSize: 4), skipUnreadable: false, chunkSize: 8).Take(20).ToList();
        Assert.Equal(20, first.Count);
        Assert.InRange(pulled, 20, 28);
    }

    [Fact]
    public void Without_skipping_the_files_before_a_bad_one_are_answered_then_the_bad_one_stops_the_run()
    {
        string bad = dir.Write("bad.png", "not a picture"u8.ToArray());
        string[] paths = [Good(0), Good(1), bad, Good(2)];
        var answered = new List<string>();
        var e = Assert.Throws<ImageLoadException>(() =>
        {
            foreach (var r in FilePredictions.Run(predictor, preprocessor, paths, new PredictOptions(BatchSize: 2), skipUnreadable: false)) answered.Add(r.Path);
        });
        Assert.Equal(paths[..2], answered);
        Assert.StartsWith(bad + ": not an image", e.Message);
    }

    [Fact]
    public void With_skipping_every_file_has_an_entry_in_order_and_bad_ones_carry_their_error()
    {
        string bad = dir.Write("bad.png", []);
        string[] paths = [Good(0), bad, Good(1)];
        var results = FilePredictions.Run(predictor, preprocessor, paths, new PredictOptions(BatchSize: 2), skipUnreadable: true).ToList();
        Assert.Equal(paths, results.Select(r => r.Path));
        Assert.NotNull(results[0].Prediction);
        Assert.Null(results[1].Prediction);
        Assert.Equal($"{bad}: empty file (0 bytes)", results[1].Error!.Message);
        Assert.NotNull(results[2].Prediction);
    }
}
