using WbcNca.Checkpoints;
using WbcNca.Data;

namespace WbcNca.Tests.Training;

/// <summary>The default model and the cells of the shared jtsc set (another lab) as that model sees them; skips without the data.</summary>
internal static class JtscCells
{
    /// <summary>The repository's default model file.</summary>
    public static string DefaultModelPath => Path.Combine(SharedData.RepoRoot, "models", "wbc-nca-acevedo20.safetensors");

    /// <summary>A fresh copy of the default model and jtsc's 300 cells, framed and colour-mapped as it expects.</summary>
    public static (ModelBundle Model, ImageCache Cells) Load()
    {
        string jtsc = SharedData.Require(Path.Combine("data", "jtsc"));
        ModelBundle bundle = ModelFile.Load(DefaultModelPath);
        Dataset set = DatasetReader.Open("folder", jtsc);
        return (bundle, ImageCache.Load(set.Items, bundle.Spec.ImageSize, threads: 2, preprocessing: bundle.Preprocessing));
    }
}
