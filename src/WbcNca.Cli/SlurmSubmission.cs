using WbcNca.Runs;

namespace WbcNca.Cli;

/// <summary>
/// Writes a pair of job scripts (the array job and the job that collects after it) and submits them, or with
/// <c>--dry-run</c> only says how; with <c>--wait</c> waits until both have ended. Status lines go to stderr.
/// </summary>
public static class SlurmSubmission
{
    /// <summary>Writes both scripts; unless <paramref name="dryRun"/>, submits them. Returns the job ids (null for a dry run).</summary>
    /// <exception cref="WbcNcaException">sbatch is missing or refuses a script.</exception>
    public static (string Tasks, string Collector)? Run(SlurmJob tasks, SlurmJob collector, bool dryRun, string what)
    {
        tasks.Write();
        collector.Write();
        string logs = Path.GetDirectoryName(tasks.Log)!;
        if (dryRun)
        {
            Console.Error.WriteLine($"wrote {tasks.ScriptPath} (array {tasks.Array}: {what}) and {collector.ScriptPath}; nothing submitted");
            Console.Error.WriteLine($"submit with: id=$(sbatch --parsable {ShellWords.Quote(tasks.ScriptPath)}) && sbatch --dependency=afterany:$id {ShellWords.Quote(collector.ScriptPath)}");
            return null;
        }
        string array = Sbatch.Submit(tasks.ScriptPath);
        string collect = Sbatch.Submit(collector.ScriptPath, afterAny: array);
        Console.Error.WriteLine($"submitted array job {array} ({what}; array {tasks.Array}) and job {collect}, which collects after it; logs in {logs}");
        return (array, collect);
    }

    /// <summary>Waits until the jobs have ended (polling squeue every few seconds), with a status line now and then.</summary>
    public static void Wait((string Tasks, string Collector) jobs)
    {
        Console.Error.WriteLine($"waiting for jobs {jobs.Tasks} and {jobs.Collector}…");
        Sbatch.Wait([jobs.Tasks, jobs.Collector], TimeSpan.FromSeconds(3));
    }
}
