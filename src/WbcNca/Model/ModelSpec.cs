using TorchSharp;
using WbcNca.Model.Baselines;
using static TorchSharp.torch;

namespace WbcNca.Model;

/// <summary>
/// Which model to build: the architecture name and its configuration. <c>nca</c> (the paper's NCA,
/// <see cref="NcaConfig"/>), <c>resnext50</c> and <c>resnet18</c> (CNN baselines, <see cref="ResNetConfig"/>),
/// <c>aecfe</c> (autoencoder features + random forest, <see cref="AeCfeConfig"/>). Model files store the name and
/// the configuration's JSON; a file without a name is an NCA (files written before the baselines existed).
/// </summary>
public sealed record ModelSpec
{
    /// <summary>The paper's neural cellular automaton.</summary>
    public const string NcaArch = "nca";

    /// <summary>ResNeXt-50 (32×4d), the classifier of Matek et al.</summary>
    public const string ResNeXt50Arch = "resnext50";

    /// <summary>ResNet-18, a smaller CNN.</summary>
    public const string ResNet18Arch = "resnet18";

    /// <summary>Autoencoder (all domains, unlabelled) + random forest on its bottleneck features.</summary>
    public const string AeCfeArch = "aecfe";

    /// <summary>Every architecture name.</summary>
    public static IReadOnlyList<string> ArchNames { get; } = [NcaArch, ResNeXt50Arch, ResNet18Arch, AeCfeArch];

    private ModelSpec(string arch, NcaConfig? nca, ResNetConfig? resNet, AeCfeConfig? aeCfe)
    {
        Arch = arch;
        Nca = nca;
        ResNet = resNet;
        AeCfe = aeCfe;
    }

    /// <summary>The architecture name (one of <see cref="ArchNames"/>).</summary>
    public string Arch { get; }

    /// <summary>The NCA's configuration (arch nca), else null.</summary>
    public NcaConfig? Nca { get; }

    /// <summary>The CNN's configuration (arch resnext50 or resnet18), else null.</summary>
    public ResNetConfig? ResNet { get; }

    /// <summary>The AE-CFE configuration (arch aecfe), else null.</summary>
    public AeCfeConfig? AeCfe { get; }

    /// <summary>An NCA.</summary>
    public static ModelSpec ForNca(NcaConfig config) => new(NcaArch, config.Validate(), null, null);

    /// <summary>A ResNet-family CNN saved under <paramref name="arch"/>.</summary>
    public static ModelSpec ForResNet(string arch, ResNetConfig config) =>
        arch is ResNeXt50Arch or ResNet18Arch ? new(arch, null, config.Validate(), null) : throw new ArgumentException($"'{arch}' is not a CNN architecture");

    /// <summary>An AE-CFE baseline.</summary>
    public static ModelSpec ForAeCfe(AeCfeConfig config) => new(AeCfeArch, null, null, config.Validate());

    /// <summary>The published configuration of <paramref name="arch"/> (the NCA's <paramref name="ncaPreset"/>) at 13 classes.</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static ModelSpec Default(string arch, string ncaPreset = NcaConfig.DefaultPreset) => Normalize(arch) switch
    {
        NcaArch => ForNca(NcaConfig.FromPreset(ncaPreset)),
        ResNeXt50Arch => ForResNet(ResNeXt50Arch, ResNetConfig.ResNeXt50),
        ResNet18Arch => ForResNet(ResNet18Arch, ResNetConfig.ResNet18),
        AeCfeArch => ForAeCfe(new AeCfeConfig()),
        _ => throw UnknownArch(arch),
    };

    /// <summary>Builds the spec from a model file's <c>arch</c> (null: nca) and <c>config</c> metadata.</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    /// <exception cref="System.Text.Json.JsonException">The config is not valid JSON of that architecture.</exception>
    public static ModelSpec FromJson(string? arch, string configJson) => Normalize(arch ?? NcaArch) switch
    {
        NcaArch => ForNca(NcaConfig.FromJson(configJson)),
        ResNeXt50Arch => ForResNet(ResNeXt50Arch, ResNetConfig.FromJson(configJson)),
        ResNet18Arch => ForResNet(ResNet18Arch, ResNetConfig.FromJson(configJson)),
        AeCfeArch => ForAeCfe(AeCfeConfig.FromJson(configJson)),
        _ => throw UnknownArch(arch!),
    };

    /// <summary>Side of the square input image.</summary>
    public int ImageSize => Nca?.ImageSize ?? ResNet?.ImageSize ?? AeCfe!.ImageSize;

    /// <summary>Number of output classes.</summary>
    public int NumClasses => Nca?.NumClasses ?? ResNet?.NumClasses ?? AeCfe!.NumClasses;

    /// <summary>The same model with <paramref name="classes"/> outputs.</summary>
    public ModelSpec WithClasses(int classes) => new(Arch, Nca is null ? null : Nca with { NumClasses = classes }, ResNet is null ? null : ResNet with { NumClasses = classes },
        AeCfe is null ? null : AeCfe with { NumClasses = classes });

    /// <summary>The same model for <paramref name="size"/>×<paramref name="size"/> images.</summary>
    public ModelSpec WithImageSize(int size) => new(Arch, Nca is null ? null : Nca with { ImageSize = size }, ResNet is null ? null : ResNet with { ImageSize = size },
        AeCfe is null ? null : AeCfe with { ImageSize = size });

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line reason when a value is out of range.</summary>
    public ModelSpec Validate()
    {
        Nca?.Validate();
        ResNet?.Validate();
        AeCfe?.Validate();
        return this;
    }

    /// <summary>The configuration's JSON as model files and run folders store it (for the NCA exactly <see cref="NcaConfig.ToJson"/>).</summary>
    public string ConfigJson() => Nca?.ToJson() ?? ResNet?.ToJson() ?? AeCfe!.ToJson();

    /// <summary>A model whose initial weights are fixed by <paramref name="seed"/>.</summary>
    public ICellClassifier Create(long seed, Device? device = null) => Arch switch
    {
        NcaArch => new NcaCellClassifier(NcaClassifier.Create(Nca!, seed, device)),
        ResNeXt50Arch or ResNet18Arch => ResNetClassifier.Create(ResNet!, Arch, seed, device),
        _ => AeCfeClassifier.Create(AeCfe!, seed, device),
    };

    /// <summary>A model with libtorch's default initialisation, to be filled from a file.</summary>
    public ICellClassifier Build() => Arch switch
    {
        NcaArch => new NcaCellClassifier(new NcaClassifier(Nca!)),
        ResNeXt50Arch or ResNet18Arch => new ResNetClassifier(ResNet!, Arch),
        _ => new AeCfeClassifier(AeCfe!),
    };

    private static string Normalize(string arch) => arch.Trim().ToLowerInvariant();

    private static ArgumentException UnknownArch(string arch) =>
        new($"unknown architecture '{arch}' (expected one of: {string.Join(", ", ArchNames)})");
}
