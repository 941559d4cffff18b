using TorchSharp;
using static TorchSharp.torch;

namespace WbcNca.Model;

/// <summary>
/// The paper's classifier: NCA backbone (k steps of the learned local rule) → global max pooling over
/// the image → two-layer MLP head. At the paper's configuration it has 86,413 parameters.
/// </summary>
public sealed class NcaClassifier : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly NcaBackbone backbone;
    private readonly GlobalMaxPooling pool;
    private readonly ClassifierHead head;

    /// <summary>Creates a classifier with freshly initialised weights (libtorch's default initialisation, fc2 of the rule at zero).</summary>
    public NcaClassifier(NcaConfig config) : base(nameof(NcaClassifier))
    {
        Config = config.Validate();
        backbone = new NcaBackbone(config);
        pool = new GlobalMaxPooling();
        head = new ClassifierHead(config.Channels, config.ClassifierHidden, config.NumClasses);
        RegisterComponents();
    }

    /// <summary>Creates a classifier whose initial weights are fixed by <paramref name="seed"/> (seeds libtorch's global generator).</summary>
    public static NcaClassifier Create(NcaConfig config, long seed, Device? device = null)
    {
        random.manual_seed(seed);
        var model = new NcaClassifier(config);
        if (device is not null) model.to(device);
        return model;
    }

    /// <summary>The configuration this model was built with.</summary>
    public NcaConfig Config { get; }

    /// <summary>The NCA backbone.</summary>
    public NcaBackbone Backbone => backbone;

    /// <summary>The classifier head.</summary>
    public ClassifierHead Head => head;

    /// <summary>Total number of parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Pooled channel vector (B, n) of the final state.</summary>
    public Tensor Pool(Tensor state) => pool.forward(state);

    /// <summary>Computes class logits.</summary>
    /// <param name="image">Normalised images (B, 3, H, W).</param>
    /// <param name="masks">(k, B or 1, H, W, 1) update masks, or null to update every cell at every step (p = 1).</param>
    /// <returns>Logits (B, classes).</returns>
    public override Tensor forward(Tensor image, Tensor? masks)
    {
        using var scope = NewDisposeScope();
        Tensor state = backbone.forward(image, masks);   // (B, H, W, n)
        Tensor pooled = pool.forward(state);             // (B, n)
        return head.forward(pooled).MoveToOuterDisposeScope();
    }
}
