using System.CommandLine;
using WbcNca.Runs;

namespace WbcNca.Cli;

/// <summary>
/// The options of <c>experiment --slurm</c> and <c>predict --slurm N</c> that go into the job scripts (<c>#SBATCH</c>
/// lines) or decide what happens to them: write only (<c>--dry-run</c>) or wait for the jobs (<c>--wait</c>).
/// </summary>
public sealed class SlurmCliOptions
{
    /// <summary><c>--partition</c>.</summary>
    public Option<string?> Partition { get; } = new("--partition") { Description = "With --slurm: the Slurm partition (queue) of the jobs [default: the cluster's]" };
    /// <summary><c>--time</c>.</summary>
    public Option<string?> Time { get; } = new("--time") { Description = "With --slurm: each task's time limit, as sbatch takes it (e.g. 4:00:00 or 1-00:00:00) [default: the partition's]" };
    /// <summary><c>--cpus-per-task</c>.</summary>
    public Option<int?> CpusPerTask { get; } = new("--cpus-per-task") { Description = "With --slurm: CPUs of each task, which it uses as threads [default: the cluster's, usually 1]" };
    /// <summary><c>--mem</c>.</summary>
    public Option<string?> Memory { get; } = new("--mem") { Description = "With --slurm: memory of each task, as sbatch takes it (e.g. 8G) [default: the cluster's]" };
    /// <summary><c>--gres</c>.</summary>
    public Option<string?> Gres { get; } = new("--gres") { Description = "With --slurm: generic resources of each task, e.g. gpu:1 for a GPU node (with --device cuda)" };
    /// <summary><c>--max-parallel</c>.</summary>
    public Option<int?> MaxParallel { get; } = new("--max-parallel") { Description = "With --slurm: run at most this many tasks at once (the array's %N throttle) [default: as many as the cluster allows]" };
    /// <summary><c>--sbatch-option</c>.</summary>
    public Option<string[]> Extra { get; } = new("--sbatch-option")
    {
        Description = "With --slurm: another sbatch option for the job scripts, as one word (e.g. --sbatch-option=--account=lab); repeatable",
        AllowMultipleArgumentsPerToken = false,
    };
    /// <summary><c>--dry-run</c>.</summary>
    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "With --slurm: write the plan and the job scripts, print how to submit them, and submit nothing" };
    /// <summary><c>--wait</c>.</summary>
    public Option<bool> Wait { get; } = new("--wait") { Description = "With --slurm: wait until the jobs have ended, then print the result" };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in All) command.Options.Add(option);
    }

    /// <summary>
    /// The Slurm settings when <paramref name="slurm"/> is on; otherwise null, and any of these options given is an
    /// error naming it (they would be ignored).
    /// </summary>
    public SlurmOptions? Read(ParseResult parse, bool slurm, string slurmOption)
    {
        if (!slurm)
        {
            foreach (Option option in All)
                if (parse.GetResult(option) is { Implicit: false })
                    throw new WbcNcaException($"{option.Name}: applies with {slurmOption} only");
            return null;
        }
        if (parse.GetValue(DryRun) && parse.GetValue(Wait)) throw new WbcNcaException("--dry-run and --wait: give one of them (a dry run submits nothing to wait for)");
        return new SlurmOptions(parse.GetValue(Partition), parse.GetValue(Time), parse.GetValue(CpusPerTask), parse.GetValue(Memory), parse.GetValue(Gres),
            parse.GetValue(MaxParallel), parse.GetValue(Extra) ?? []).Validate();
    }

    private IReadOnlyList<Option> All => [Partition, Time, CpusPerTask, Memory, Gres, MaxParallel, Extra, DryRun, Wait];
}
