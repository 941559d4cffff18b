using WbcNca.Cli;

namespace WbcNca.Tests.Explainability;

public class ProgressReporterTests
{
    [Fact]
    public void Progress_for_many_items_advances_without_overflowing()
    {
        // explain reports progress from 8 images on; the first Advance used to overflow (now − TimeSpan.MinValue).
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
