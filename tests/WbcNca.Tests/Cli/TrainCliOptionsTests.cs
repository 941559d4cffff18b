using System.CommandLine;
using WbcNca.Cli;

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
}
