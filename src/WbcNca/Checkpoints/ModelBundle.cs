using WbcNca.Imaging;
using WbcNca.Model;

namespace WbcNca.Checkpoints;

/// <summary>
/// Everything needed to classify an image: the network, the names of its output classes (in logit order),
/// the normalisation its inputs expect, and free-form provenance (source, seed, training run) that is
/// carried into every file and report made from it.
/// </summary>
/// <param name="Classifier">The network.</param>
/// <param name="Classes">Class names in logit order.</param>
/// <param name="Normalization">Input normalisation.</param>
/// <param name="Provenance">Free-form string facts: where the weights come from, seed, dataset, ….</param>
public sealed record ModelBundle(
    NcaClassifier Classifier,
    IReadOnlyList<string> Classes,
    Normalization Normalization,
    IReadOnlyDictionary<string, string> Provenance)
{
    /// <summary>The network's configuration.</summary>
    public NcaConfig Config => Classifier.Config;
}
