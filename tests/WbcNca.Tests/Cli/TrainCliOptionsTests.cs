using System.CommandLine;
using WbcNca.Cli;
using WbcNca.Training;

namespace WbcNca.Tests.Cli;

public class TrainCliOptionsTests
{
    private static WbcNca.Runs.TrainingRun Read(params string[] extra)
    {
        var o = new TrainCliOptions();
        var command = new Command("train");
        o.AddTo(command);
        ParseResult parse = command.Parse(["--data", "d", "--out", "o", .. extra]);
        Assert.Empty(parse.Errors);
        return o.Read(parse);
    }

    [Fact]
    public void Zoom_reaches_the_augmentation_options_and_is_off_by_default()
    {
        Assert.Equal(1.0, Read().Options.Augment.Zoom);
        Assert.Equal(2.5, Read("--zoom", "2.5").Options.Augment.Zoom);
        Assert.Equal(2.5, Read("--stain-augment", "--zoom", "2.5").Options.Augment.Zoom);
        Assert.True(Read("--stain-augment", "--zoom", "2.5").Options.Augment.AnyColor);
    }

    [Fact]
    public void A_zoom_below_one_is_a_one_line_user_error()
    {
        var e = Assert.Throws<WbcNcaException>(() => Read("--zoom", "0.5"));
        Assert.Contains("zoom must be in [1, 4]", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Without_options_training_follows_the_presets_recipe()
    {
        var paper = Read("--preset", "paper").Options;
        Assert.Equal((32, 0, 4e-4, LearningRateScheduleKind.Exp, 0.9999, false, 0), (paper.Epochs, paper.EpochSize, paper.LearningRate, paper.LrSchedule, paper.Decay, paper.DecayAuto, paper.Warmup));
        Assert.Equal(TrainingRecipe.Paper.Options, paper);
        var shipped = Read();   // wide, the default model's preset, is the default
        Assert.Equal(WbcNca.Model.NcaConfig.Wide, shipped.Spec.Nca);
        var compact = shipped.Options;
        Assert.Equal(TrainingRecipe.Compact.Options, compact);
        Assert.Equal(TrainingRecipe.Wide.Options, compact);
        Assert.Equal(WbcNca.Model.NcaConfig.Compact, Read("--preset", "compact").Spec.Nca);
        Assert.Equal((32, 1e-3, true, 0.1), (compact.Epochs, compact.LearningRate, compact.DecayAuto, compact.FinalLrFraction));
        // The compact recipe frames the cell on its nucleus, anchors its colours and mixes colours; the paper's does not.
        Assert.Equal(new WbcNca.Imaging.Preprocessing(WbcNca.Imaging.Framing.Nucleus, 2.4, Color: WbcNca.Imaging.ColorMode.Anchors), compact.InputPreprocessing);
        Assert.Equal(0.3, compact.Augment.ColorMix);
        Assert.Equal(WbcNca.Imaging.Preprocessing.Default, paper.InputPreprocessing);
        Assert.Equal(0, paper.Augment.ColorMix);
        // The whole-image input of the results made before (bench/common.sh WHOLE_IMAGE) is three options away.
        var whole = Read("--framing", "whole", "--colour", "rgb", "--color-mix", "0").Options;
        Assert.Equal((WbcNca.Imaging.Preprocessing.Default, false), (whole.InputPreprocessing, whole.Augment.AnyColor));
    }

    [Fact]
    public void An_option_given_overrides_its_part_of_the_recipe_and_leaves_the_rest()
    {
        var o = Read("--epochs", "5", "--epoch-size", "8000", "--decay", "0.9999", "--framing", "nucleus:2", "--colour", "anchors").Options;
        TrainOptions recipe = TrainingRecipe.Compact.Options;
        Assert.Equal((5, 8000, 0.9999, false), (o.Epochs, o.EpochSize, o.Decay, o.DecayAuto));
        Assert.Equal(recipe.LearningRate, o.LearningRate);
        Assert.Equal(recipe.Augment, o.Augment);
        Assert.Equal(new WbcNca.Imaging.Preprocessing(WbcNca.Imaging.Framing.Nucleus, 2.0, Color: WbcNca.Imaging.ColorMode.Anchors), o.InputPreprocessing);
        Assert.False(Read("--no-rotate").Options.Augment.Rotate);
        Assert.True(Read("--no-rotate").Options.Augment.Flip);
    }

    [Fact]
    public void Schedule_options_reach_the_training_options()
    {
        Assert.True(Read("--decay", "auto").Options.DecayAuto);
        Assert.Equal(0.999, Read("--decay", "0.999").Options.Decay);
        var cosine = Read("--lr-schedule", "cosine", "--final-lr-fraction", "0.05", "--warmup", "50").Options;
        Assert.Equal((LearningRateScheduleKind.Cosine, 0.05, 50), (cosine.LrSchedule, cosine.FinalLrFraction, cosine.Warmup));
        Assert.Equal(cosine, Read("--lr-schedule", "cosine", "--decay", "auto", "--final-lr-fraction", "0.05", "--warmup", "50").Options);
    }

    [Theory]
    [InlineData("--decay 0.99: a factor per batch applies to --lr-schedule exp", "--lr-schedule", "cosine", "--decay", "0.99")]
    [InlineData("--final-lr-fraction: applies with --decay auto or --lr-schedule cosine", "--decay", "0.999", "--final-lr-fraction", "0.2")]
    [InlineData("--final-lr-fraction: applies with --decay auto or --lr-schedule cosine", "--preset", "paper", "--final-lr-fraction", "0.2")]
    [InlineData("--decay: expected a number in (0, 1] or auto (got 'fast')", "--decay", "fast")]
    [InlineData("--decay: expected a number in (0, 1] or auto (got '1.5')", "--decay", "1.5")]
    [InlineData("--warmup must be ≥ 0 (got -1)", "--warmup", "-1")]
    public void A_schedule_option_that_does_not_apply_or_is_out_of_range_is_a_one_line_user_error(string message, params string[] args)
    {
        var e = Assert.Throws<WbcNcaException>(() => Read(args));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static WbcNca.Runs.TrainingRun ReadOnly(params string[] args)
    {
        var o = new TrainCliOptions();
        var command = new Command("train");
        o.AddTo(command);
        ParseResult parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        return o.Read(parse);
    }

    private static string RunFolder(WbcNca.Runs.TrainingRun started)
    {
        string dir = Directory.CreateTempSubdirectory("wbc-nca-resume-").FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), $$"""
            {"dataset": "{{started.DatasetKind}}", "data": "{{started.DataPath}}", "arch": "{{started.Spec.Arch}}", "limit_per_class": {{started.LimitPerClass}},
             "config": {{started.Spec.ConfigJson()}}, "options": {{started.Options.ToJson()}}}
            """);
        return dir;
    }

    [Fact]
    public void Resume_from_the_run_folder_alone_takes_the_data_model_and_options_from_it()
    {
        var started = Read("--dataset", "folder", "--preset", "paper", "--framing", "nucleus", "--lr", "0.002", "--limit-per-class", "7");
        string dir = RunFolder(started);
        try
        {
            var resumed = ReadOnly("--out", dir, "--resume");
            Assert.Equal((started.DatasetKind, started.DataPath, started.LimitPerClass, true), (resumed.DatasetKind, resumed.DataPath, resumed.LimitPerClass, resumed.Resume));
            Assert.Equal(started.Spec.ConfigJson(), resumed.Spec.ConfigJson());
            Assert.Equal(started.Options, resumed.Options);
            Assert.Equal(40, ReadOnly("--out", dir, "--resume", "--epochs", "40").Options.Epochs);
            var e = Assert.Throws<WbcNcaException>(() => ReadOnly("--out", dir, "--resume", "--lr", "0.1"));
            Assert.StartsWith("--lr: a run resumed from its folder keeps the options it was started with", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Resume_from_a_folder_without_a_run_says_so_in_one_line()
    {
        string dir = Directory.CreateTempSubdirectory("wbc-nca-resume-").FullName;
        try
        {
            var e = Assert.Throws<WbcNcaException>(() => ReadOnly("--out", dir, "--resume"));
            Assert.Equal($"{dir}: no run to resume here (config.json is missing); give --data and the options to start one", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
