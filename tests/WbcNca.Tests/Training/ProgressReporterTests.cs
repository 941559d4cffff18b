using WbcNca.Cli;

namespace WbcNca.Tests.Training;

public class ProgressReporterTests
{
    [Fact]
    public void The_first_report_of_a_large_job_does_not_overflow()
    {
        var p = ProgressReporter.ForItems("evaluating", 1000);
        p.Advance(64);
        p.Advance(64);
        Assert.StartsWith("evaluating 128/1000", p.Describe());
    }
}
