namespace WbcNca.Runs;

/// <summary>
/// One model of an experiment grid before its folds and seeds: a training set, a variant (a named set of training
/// options; empty for the options as given) and an architecture, as the training run <paramref name="Run"/> that each
/// of its entries starts from.
/// </summary>
/// <param name="Dataset">Short name of the training set (used in folder names and the table).</param>
/// <param name="Variant">Name of the variant ("" when the grid has none).</param>
/// <param name="Run">The training run (its fold and seed are set per entry; its output folder is the entry's).</param>
public sealed record GridModel(string Dataset, string Variant, TrainingRun Run)
{
    /// <summary>The architecture (<see cref="Model.ModelSpec.Arch"/>).</summary>
    public string Arch => Run.Spec.Arch;

    /// <summary>The folder of this model's entries inside the experiment folder: DATASET-ARCH or DATASET-ARCH-VARIANT.</summary>
    public string Folder => Variant.Length == 0 ? $"{Dataset}-{Arch}" : $"{Dataset}-{Arch}-{Variant}";

    /// <summary>The model's name in the table: "DATASET · ARCH" or "DATASET · ARCH · VARIANT".</summary>
    public string Label => Variant.Length == 0 ? $"{Dataset} · {Arch}" : $"{Dataset} · {Arch} · {Variant}";
}
