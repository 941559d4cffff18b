using System.Globalization;

namespace WbcNca.Runs;

/// <summary>
/// What a job script asks Slurm for (its <c>#SBATCH</c> lines): a partition, a time limit, CPUs and memory per task,
/// generic resources such as GPUs, how many array tasks may run at once, and any other <c>sbatch</c> option as it is.
/// Null fields are left to the cluster's defaults.
/// </summary>
/// <param name="Partition"><c>--partition</c>.</param>
/// <param name="Time"><c>--time</c> (e.g. 4:00:00 or 1-00:00:00).</param>
/// <param name="CpusPerTask"><c>--cpus-per-task</c>; each task uses that many threads.</param>
/// <param name="Memory"><c>--mem</c> (e.g. 8G).</param>
/// <param name="Gres"><c>--gres</c> (e.g. gpu:1), for the array tasks only.</param>
/// <param name="MaxParallel">The array's <c>%N</c> throttle: at most this many tasks at once.</param>
/// <param name="Extra">Other <c>sbatch</c> options, each as one word (e.g. <c>--account=lab</c>).</param>
public sealed record SlurmOptions(string? Partition = null, string? Time = null, int? CpusPerTask = null, string? Memory = null, string? Gres = null, int? MaxParallel = null,
    IReadOnlyList<string>? Extra = null)
{
    /// <summary>Checks the values; a bad one is a <see cref="WbcNcaException"/> naming its option.</summary>
    public SlurmOptions Validate()
    {
        if (CpusPerTask is < 1) throw new WbcNcaException(string.Create(CultureInfo.InvariantCulture, $"--cpus-per-task must be ≥ 1 (got {CpusPerTask})"));
        if (MaxParallel is < 1) throw new WbcNcaException(string.Create(CultureInfo.InvariantCulture, $"--max-parallel must be ≥ 1 (got {MaxParallel})"));
        foreach (var (name, value) in new[] { ("--partition", Partition), ("--time", Time), ("--mem", Memory), ("--gres", Gres) })
            if (value is not null && (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                throw new WbcNcaException($"{name}: '{value}' is not a Slurm value (no spaces)");
        foreach (string option in Extra ?? [])
            if (!option.StartsWith("--", StringComparison.Ordinal) || option.Any(char.IsControl))
                throw new WbcNcaException($"--sbatch-option: '{option}' is not an sbatch option (expected --NAME or --NAME=VALUE, e.g. --account=lab)");
        return this;
    }

    /// <summary>The <c>#SBATCH</c> options of the array tasks (with <see cref="Gres"/>) or of a job that needs no accelerator.</summary>
    public IReadOnlyList<string> Directives(bool withGres)
    {
        var lines = new List<string>();
        if (Partition is not null) lines.Add($"--partition={Partition}");
        if (Time is not null) lines.Add($"--time={Time}");
        if (CpusPerTask is int cpus) lines.Add(string.Create(CultureInfo.InvariantCulture, $"--cpus-per-task={cpus}"));
        if (Memory is not null) lines.Add($"--mem={Memory}");
        if (withGres && Gres is not null) lines.Add($"--gres={Gres}");
        lines.AddRange(Extra ?? []);
        return lines;
    }
}
