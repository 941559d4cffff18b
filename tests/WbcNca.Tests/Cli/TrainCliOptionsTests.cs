using System.CommandLine;
using WbcNca.Cli;
using WbcNca.Training;

namespace WbcNca.Tests.Cli;

public class TrainCliOptionsTests
{
    private static WbcNca.Cli.Commands.TrainRun Read(params string[] extra)
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
    public void Without_schedule_options_training_uses_the_papers_exponential_decay()
    {
        var o = Read().Options;
        Assert.Equal((LearningRateScheduleKind.Exp, 0.9999, false, 0), (o.LrSchedule, o.Decay, o.DecayAuto, o.Warmup));
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
    [InlineData("--final-lr-fraction: applies with --decay auto or --lr-schedule cosine", "--final-lr-fraction", "0.2")]
    [InlineData("--decay: expected a number in (0, 1] or auto (got 'fast')", "--decay", "fast")]
    [InlineData("decay must be in (0, 1] (got 1.5)", "--decay", "1.5")]
    [InlineData("warm-up steps must be ≥ 0 (got -1)", "--warmup", "-1")]
    public void A_schedule_option_that_does_not_apply_or_is_out_of_range_is_a_one_line_user_error(string message, params string[] args)
    {
        var e = Assert.Throws<WbcNcaException>(() => Read(args));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
