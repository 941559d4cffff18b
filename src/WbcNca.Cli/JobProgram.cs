namespace WbcNca.Cli;

/// <summary>
/// How a job script starts this program: through the <c>./wbc-nca</c> launcher when it was started that way (the
/// launcher says so in <c>WBC_NCA_LAUNCHER</c>; the script sets <c>WBC_NCA_NO_BUILD=1</c> so that tasks never
/// rebuild, and all of them run the program that planned them), else the same executable (or <c>dotnet</c> and this
/// assembly) as now.
/// </summary>
public static class JobProgram
{
    /// <summary>The command words and the variables the script exports for it.</summary>
    public static (IReadOnlyList<string> Words, IReadOnlyDictionary<string, string> Environment) Current()
    {
        if (System.Environment.GetEnvironmentVariable("WBC_NCA_LAUNCHER") is { Length: > 0 } launcher && File.Exists(launcher))
            return ([Path.GetFullPath(launcher)], new Dictionary<string, string> { ["WBC_NCA_NO_BUILD"] = "1" });
        string process = System.Environment.ProcessPath ?? "dotnet";
        string assembly = typeof(JobProgram).Assembly.Location;
        if (Path.GetFileNameWithoutExtension(process) == "dotnet") return ([process, assembly], new Dictionary<string, string>());
        return ([process], new Dictionary<string, string>());
    }
}
