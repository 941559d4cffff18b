using System.Diagnostics;
using WbcNca.Tests.Imaging;
using WbcNca.Tests.Training;

namespace WbcNca.Tests.Cli;

/// <summary>
/// A bad option value is refused before any work: before libtorch starts, the model loads, the data set is scanned or
/// an image is decoded. The data folder holds real (generated) images and one unreadable image, which stops any run
/// that decodes first; the model path does not exist, which stops any run that loads the model first; and a scan
/// prints the data set's summary on stderr. So the option's error must be the only line, and nothing is written.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class OptionCheckOrderTests : IDisposable
{
    private readonly TempFolder dir = new();
    private readonly string data;
    private readonly string output;

    public OptionCheckOrderTests()
    {
        data = SyntheticCells.Write(Path.Combine(dir.Path, "data"), perClass: 6, classes: 4);
        File.WriteAllBytes(Path.Combine(data, "basophil", "BA_cut.png"), BadImageCorpus.Get("truncated.png").Bytes);
        output = Path.Combine(dir.Path, "run");
    }

    public void Dispose() => dir.Dispose();

    private void AssertRefusedFirst(string option, params string[] args)
    {
        string[] full = [.. args.Select(a => a.Replace("DATA", data).Replace("OUT", output).Replace("MODEL", Path.Combine(dir.Path, "absent.safetensors")))];
        var clock = Stopwatch.StartNew();
        var r = CliProcess.Run(full);
        clock.Stop();
        Assert.Equal(1, r.ExitCode);
        string line = Assert.Single(r.StderrLines);
        Assert.StartsWith($"error: {option}", line);
        Assert.Equal("", r.Stdout);
        Assert.False(Directory.Exists(output), $"{output} was created");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed.TotalSeconds:0.0} s");   // the process start itself, on a busy machine
    }

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--batch-size", "0")]
    [InlineData("--limit-per-class", "-1")]
    [InlineData("--fold", "5")]
    [InlineData("--validation-fraction", "1")]
    [InlineData("--framing", "bogus")]
    [InlineData("--colour", "sepia")]
    [InlineData("--normalization", "bogus")]
    public void Train_refuses_a_bad_option_value_before_scanning_the_data(string option, string value) =>
        AssertRefusedFirst(option, "train", "--dataset", "folder", "--data", "DATA", "--out", "OUT", option, value);

    [Fact]
    public void Experiment_refuses_bad_seeds_before_scanning_the_data() =>
        AssertRefusedFirst("--seeds", "experiment", "--dataset", "folder", "--data", "DATA", "--out", "OUT", "--seeds", "one,two");

    [Fact]
    public void Experiment_refuses_a_test_fold_outside_the_folds_before_scanning_the_data() =>
        AssertRefusedFirst("--test-folds", "experiment", "--dataset", "folder", "--data", "DATA", "--out", "OUT", "--test-folds", "0..5");

    [Fact]
    public void Experiment_refuses_a_variant_with_an_unknown_option_before_scanning_the_data() =>
        AssertRefusedFirst("--variant", "experiment", "--dataset", "folder", "--data", "DATA", "--out", "OUT", "--variant", "x:--no-such-option 3");

    [Fact]
    public void Predict_refuses_a_bad_shard_before_loading_the_model() =>
        AssertRefusedFirst("--shard", "predict", "--model", "MODEL", "--shard", "3/3", "DATA");

    [Fact]
    public void Train_refuses_an_occupied_run_folder_before_scanning_the_data()
    {
        string occupied = Directory.CreateDirectory(Path.Combine(dir.Path, "occupied")).FullName;
        File.WriteAllText(Path.Combine(occupied, "training.ckpt"), "an earlier run");
        var r = CliProcess.Run("train", "--dataset", "folder", "--data", data, "--out", occupied);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"error: {Path.Combine(occupied, "training.ckpt")}: the run folder already holds a run; pass --resume to continue it or choose another --out", Assert.Single(r.StderrLines));
        Assert.Equal(["training.ckpt"], Directory.GetFiles(occupied).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("--batch-size", "0")]
    [InlineData("--samples", "0")]
    [InlineData("--limit-per-class", "-1")]
    [InlineData("--mask-seeds", "x")]
    [InlineData("--normalization", "bogus")]
    public void Evaluate_refuses_a_bad_option_value_before_loading_the_model_or_scanning(string option, string value) =>
        AssertRefusedFirst(option, "evaluate", "--model", "MODEL", "--data", "DATA", "--out-json", Path.Combine("OUT", "x.json"), option, value);

    [Fact]
    public void Evaluate_refuses_a_split_of_one_fold_with_one_line() =>
        AssertRefusedFirst("--folds", "evaluate", "--model", "MODEL", "--data", "DATA", "--folds", "1", "--fold", "0");

    [Theory]
    [InlineData("--samples", "0")]
    [InlineData("--batch-size", "0")]
    [InlineData("--review-below", "2")]
    [InlineData("--max-spread", "-1")]
    [InlineData("--counts", "counts.txt")]
    [InlineData("--normalization", "bogus")]
    public void Predict_refuses_a_bad_option_value_before_loading_the_model_or_reading_images(string option, string value) =>
        AssertRefusedFirst(option, "predict", "--model", "MODEL", "--json", option, value, "DATA");

    [Theory]
    [InlineData("--steps", "0")]
    [InlineData("--head-lr", "0")]
    [InlineData("--pull", "-1")]
    [InlineData("--per-class", "-1")]
    [InlineData("--cross-validate", "1")]
    [InlineData("--cross-validate", "-2")]
    [InlineData("--report", "r.json")]
    [InlineData("--lab-anchors", "absent.json")]
    public void Adapt_refuses_a_bad_option_value_before_loading_the_model_or_reading_images(string option, string value) =>
        AssertRefusedFirst(option, "adapt", "--model", "MODEL", "--data", "DATA", "--out", Path.Combine("OUT", "m.safetensors"), option, value);
}
