using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Model;

namespace WbcNca.Checkpoints;

/// <summary>
/// Everything needed to classify an image: the network, the names of its output classes (in logit order),
/// the normalisation its inputs expect, and free-form provenance (source, seed, training run) that is
/// carried into every file and report made from it.
/// </summary>
/// <param name="Model">The network (the NCA or a baseline).</param>
/// <param name="Classes">Class names in logit order.</param>
/// <param name="Normalization">Input normalisation.</param>
/// <param name="Provenance">Free-form string facts: where the weights come from, seed, dataset, ….</param>
public sealed record ModelBundle(
    ICellClassifier Model,
    IReadOnlyList<string> Classes,
    Normalization Normalization,
    IReadOnlyDictionary<string, string> Provenance)
{
    /// <summary>A bundle of an NCA.</summary>
    public ModelBundle(NcaClassifier classifier, IReadOnlyList<string> classes, Normalization normalization, IReadOnlyDictionary<string, string> provenance)
        : this(new NcaCellClassifier(classifier), classes, normalization, provenance)
    {
    }

    /// <summary>Framing and colour mapping of the model's inputs (model files from before framing: whole image, colours as decoded).</summary>
    public Preprocessing Preprocessing { get; init; } = Preprocessing.Default;

    /// <summary>Temperature scaling of the model's probabilities (model files without it: T = 1).</summary>
    public Inference.Calibration Calibration { get; init; } = Inference.Calibration.None;

    /// <summary>How the model answers unless told otherwise (model files without it: one run); its calibration and thresholds were fitted on answers averaged so.</summary>
    public Inference.TestTimeAveraging Averaging { get; init; } = Inference.TestTimeAveraging.Single;

    /// <summary>When an answer is given, sent to review or refused as not a cell (model files without it: <see cref="Inference.DecisionRule.Default"/>).</summary>
    public Inference.DecisionRule Decision { get; init; } = Inference.DecisionRule.Default;

    /// <summary>How unlike its training cells an input is (NCA models trained or calibrated since the measure exists; null otherwise).</summary>
    public Inference.FeatureDistance? FeatureDistance { get; init; }

    /// <summary>
    /// The one way from an image to this model's input (framing, resize, colour mapping, normalisation), used by predict,
    /// explain and serve; training caches and evaluation use the same <see cref="Preprocessing"/> through
    /// <see cref="ImageCache"/>.
    /// </summary>
    /// <param name="normalization">Another normalisation than the model's (e.g. per image), or null.</param>
    /// <param name="decoderOptions">Decoding limits, or null for the defaults.</param>
    public ImagePreprocessor Preprocessor(Normalization? normalization = null, ImageDecoderOptions? decoderOptions = null) =>
        new(Spec.ImageSize, normalization ?? Normalization, decoderOptions, Preprocessing);

    /// <summary>The NCA, for what only an NCA has (explanations, the fused engine, ONNX export, the web page).</summary>
    /// <exception cref="WbcNcaException">The model is a baseline, not an NCA.</exception>
    public NcaClassifier Classifier => (Model as NcaCellClassifier)?.Classifier
        ?? throw new WbcNcaException($"this is a {Model.Spec.Arch} model: only NCA models (arch nca) can be explained, exported to ONNX or served");

    /// <summary>The NCA's configuration.</summary>
    /// <exception cref="WbcNcaException">The model is a baseline, not an NCA.</exception>
    public NcaConfig Config => Classifier.Config;

    /// <summary>Architecture and configuration of any model.</summary>
    public ModelSpec Spec => Model.Spec;

    /// <summary>True when the model is an NCA.</summary>
    public bool IsNca => Model is NcaCellClassifier;
}
