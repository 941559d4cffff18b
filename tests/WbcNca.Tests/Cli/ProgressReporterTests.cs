using WbcNca.Cli;

namespace WbcNca.Tests.Cli;

public class ProgressReporterTests
{
    [Fact]
    public void Progress_for_a_large_job_advances_from_the_first_report_on_without_overflowing()
    {
        // The first Advance of an enabled reporter once computed now − TimeSpan.MinValue and overflowed.
        var progress = ProgressReporter.ForItems("explaining", 10, minimum: 1);
        var saved = Console.Error;
        Console.SetError(TextWriter.Null);
        try
        {
            for (int i = 0; i < 10; i++) progress.Advance(1);
            progress.Done();
        }
        finally { Console.SetError(saved); }
        Assert.StartsWith("explaining 10/10 (100%)", progress.Describe());
    }
}
