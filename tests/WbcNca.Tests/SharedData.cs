namespace WbcNca.Tests;

/// <summary>Locates the read-only shared folder (../shared next to the repository) that holds real data.</summary>
public static class SharedData
{
    /// <summary>The repository root (the folder holding WbcNca.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared folder, or null when it is absent.</summary>
    public static string? Root
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("WBC_NCA_SHARED");
            string path = string.IsNullOrEmpty(env) ? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared")) : env;
            return Directory.Exists(path) ? path : null;
        }
    }

    /// <summary>Path below the shared folder; skips the calling test with a clear message when it is absent.</summary>
    public static string Require(string relative)
    {
        string? root = Root;
        Skip.If(root is null, "../shared is absent: this test needs the real data next to the repository");
        string path = Path.Combine(root!, relative);
        Skip.IfNot(File.Exists(path) || Directory.Exists(path), $"../shared/{relative} is absent: this test needs it");
        return path;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "WbcNca.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find WbcNca.sln above the test binaries");
    }
}

/// <summary>Tests that use libtorch run one at a time in this collection (libtorch uses all cores itself).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "torch";
}
