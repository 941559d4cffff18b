using System.Text.Json;
using System.Text.Json.Serialization;

namespace WbcNca.Model.Baselines;

/// <summary>
/// The hyper-parameters of a ResNet-family CNN baseline (He et al. 2016; ResNeXt: Xie et al. 2017), as torchvision
/// builds them: a stem, four stages of residual blocks whose planes are StemWidth·2^i (stride 2 from the second stage
/// on), global average pooling and one linear layer. A bottleneck block is 1×1 → grouped 3×3 → 1×1 with expansion 4 and
/// inner width ⌊planes·WidthPerGroup/64⌋·Groups (torchvision's formula); a basic block is two 3×3 convolutions.
/// </summary>
/// <param name="Block"><c>bottleneck</c> (ResNet-50 family) or <c>basic</c> (ResNet-18/34).</param>
/// <param name="Layers">Blocks per stage (four stages); null is ResNeXt-50's 3, 4, 6, 3.</param>
/// <param name="Groups">Groups of the 3×3 convolution of a bottleneck (the ResNeXt cardinality).</param>
/// <param name="WidthPerGroup">Channels per group of a bottleneck at 64 planes.</param>
/// <param name="StemWidth">Output channels of the stem and planes of the first stage (64 in the published models).</param>
/// <param name="Stem">
/// <c>imagenet</c>: 7×7 stride-2 convolution and 3×3 stride-2 max-pool (the published models; a 64×64 image reaches the
/// last stage at 2×2); <c>small</c>: one 3×3 stride-1 convolution and no pooling (CIFAR-style; 16× the compute at the same input).
/// </param>
/// <param name="ImageSize">Side of the square input image.</param>
/// <param name="NumClasses">Number of output classes.</param>
public sealed record ResNetConfig(
    string Block = "bottleneck",
    int[]? Layers = null,
    int Groups = 32,
    int WidthPerGroup = 4,
    int StemWidth = 64,
    string Stem = "imagenet",
    int ImageSize = 64,
    int NumClasses = 13)
{
    /// <summary>ResNeXt-50 (32×4d), the classifier of Matek et al.: 23,006,541 parameters with 13 classes.</summary>
    public static ResNetConfig ResNeXt50 { get; } = new("bottleneck", [3, 4, 6, 3], 32, 4);

    /// <summary>ResNet-18: 11,183,181 parameters with 13 classes.</summary>
    public static ResNetConfig ResNet18 { get; } = new("basic", [2, 2, 2, 2], 1, 64);

    /// <summary>Blocks per stage.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> StageBlocks => Layers ?? [3, 4, 6, 3];

    /// <summary>True for bottleneck blocks.</summary>
    [JsonIgnore]
    public bool IsBottleneck => Block == "bottleneck";

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line reason when a value is out of range.</summary>
    public ResNetConfig Validate()
    {
        if (Block is not ("bottleneck" or "basic")) throw new ArgumentException($"block must be bottleneck or basic (got '{Block}')");
        if (StageBlocks.Count != 4 || StageBlocks.Any(b => b < 1)) throw new ArgumentException($"layers must be four block counts ≥ 1 (got [{string.Join(",", StageBlocks)}])");
        if (Groups < 1) throw new ArgumentException($"groups must be ≥ 1 (got {Groups})");
        if (WidthPerGroup < 1) throw new ArgumentException($"width per group must be ≥ 1 (got {WidthPerGroup})");
        if (StemWidth < 1) throw new ArgumentException($"stem width must be ≥ 1 (got {StemWidth})");
        if (!IsBottleneck && Groups != 1) throw new ArgumentException("basic blocks have no groups (groups must be 1)");
        if (IsBottleneck && StemWidth * WidthPerGroup / 64 < 1) throw new ArgumentException($"stem width {StemWidth} × width per group {WidthPerGroup} / 64 leaves no channel per group");
        if (Stem is not ("imagenet" or "small")) throw new ArgumentException($"stem must be imagenet or small (got '{Stem}')");
        if (ImageSize < (Stem == "imagenet" ? 32 : 8)) throw new ArgumentException($"image size must be ≥ {(Stem == "imagenet" ? 32 : 8)} for the {Stem} stem (got {ImageSize})");
        if (NumClasses < 2) throw new ArgumentException($"number of classes must be ≥ 2 (got {NumClasses})");
        return this;
    }

    /// <summary>Inner width of a bottleneck block of <paramref name="planes"/> planes (torchvision: ⌊planes·WidthPerGroup/64⌋·Groups).</summary>
    public int BottleneckWidth(int planes) => planes * WidthPerGroup / 64 * Groups;

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Serialises to JSON with snake_case keys (as stored in model files).</summary>
    public string ToJson() => JsonSerializer.Serialize(this with { Layers = [.. StageBlocks] }, JsonOptions);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    public static ResNetConfig FromJson(string json) =>
        (JsonSerializer.Deserialize<ResNetConfig>(json, JsonOptions) ?? throw new JsonException("config is null")).Validate();
}
