using System.CommandLine;
using WbcNca.Cli;

namespace WbcNca.Tests.Cli;

/// <summary>A command line that does not parse gives one line on stderr and exit code 2, never a help dump.</summary>
public sealed class UsageErrorTests
{
    private static RootCommand Root()
    {
        var root = new RootCommand("wbc-nca");
        root.Subcommands.Add(WbcNca.Cli.Commands.PredictCommand.Create());
        root.Subcommands.Add(WbcNca.Cli.Commands.TrainCommand.Create());
        root.Subcommands.Add(WbcNca.Cli.Commands.EvaluateCommand.Create());
        return root;
    }

    [Theory]
    [InlineData("error: unknown option '--modle' (did you mean '--model'?); see 'wbc-nca predict --help'", "predict", "--modle", "x.safetensors", "img.png")]
    [InlineData("error: --samples: 'abc' is not an integer", "predict", "--samples", "abc", "x.png")]
    [InlineData("error: missing argument <images>; see 'wbc-nca predict --help'", "predict")]
    [InlineData("error: unknown command 'prdict' (did you mean 'predict'?); see 'wbc-nca --help'", "prdict", "x.png")]
    [InlineData("error: unknown command 'frobnicate'; see 'wbc-nca --help'", "frobnicate")]
    [InlineData("error: missing command (predict, train, evaluate); see 'wbc-nca --help'")]
    [InlineData("error: missing option --data (or --resume to continue the run in --out from its folder); see 'wbc-nca train --help'", "train", "--out", "o")]
    [InlineData("error: --fold: 'x' is not an integer", "evaluate", "--data", "d", "--fold", "x")]
    [InlineData("error: --lr: 'fast' is not a number", "train", "--data", "d", "--out", "o", "--lr", "fast")]
    [InlineData("error: --loss: 'foo' is not one of 'ce', 'bce'", "train", "--data", "d", "--out", "o", "--loss", "foo")]
    public void A_usage_error_is_one_line_with_exit_code_two(string expected, params string[] args)
    {
        var stderr = new StringWriter();
        var stdout = new StringWriter();
        TextWriter previous = Console.Out;
        Console.SetOut(stdout);
        try
        {
            Assert.Equal(CliRunner.UsageError, CliRunner.Run(Root(), args, stderr));
        }
        finally
        {
            Console.SetOut(previous);
        }
        Assert.Equal(expected + Environment.NewLine, stderr.ToString());
        Assert.Equal("", stdout.ToString());   // no help dump
    }

    [Fact]
    public void Negative_numbers_are_values_not_unknown_options()
    {
        var root = Root();
        var parse = root.Parse(["evaluate", "--data", "d", "--mask-seeds", "-1"]);
        Assert.Null(UsageErrors.Describe(parse, ["evaluate", "--data", "d", "--mask-seeds", "-1"]));
    }
}
