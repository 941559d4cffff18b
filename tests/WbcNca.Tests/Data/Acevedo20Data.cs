using WbcNca.Data;

namespace WbcNca.Tests.Data;

/// <summary>The real Acevedo-20 set of ../shared, read and hashed at most once for the whole test run.</summary>
public static class Acevedo20Data
{
    private static readonly Lazy<Dataset> LazyDataset = new(() => DatasetReader.Open("acevedo20", SharedData.Require("data/acevedo20")));
    private static readonly Lazy<string[]> LazyHashes = new(() => DuplicateGroups.ContentSha1(Dataset.Items));

    /// <summary>The data set (skips the calling test when ../shared is absent).</summary>
    public static Dataset Dataset
    {
        get
        {
            SharedData.Require("data/acevedo20");
            return LazyDataset.Value;
        }
    }

    /// <summary>Content SHA-1 of each item of <see cref="Dataset"/>.</summary>
    public static string[] ContentHashes => LazyHashes.Value;
}
