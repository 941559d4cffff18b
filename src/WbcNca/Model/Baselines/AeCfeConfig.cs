using System.Text.Json;

namespace WbcNca.Model.Baselines;

/// <summary>
/// The hyper-parameters of the AE-CFE-style baseline (after Salehi et al., "Unsupervised cross-domain feature
/// extraction for single blood cell image classification", MICCAI 2022): a convolutional autoencoder trained without
/// labels on the images of every available domain, whose bottleneck vector is classified by a random forest.
/// Encoder: four 4×4 stride-2 convolutions (BaseChannels·1, 2, 4, 8 channels, batch norm, leaky ReLU 0.2), one linear
/// layer to the bottleneck; decoder: the mirror (linear, four 4×4 stride-2 transposed convolutions).
/// </summary>
/// <param name="ImageSize">Side of the square input image (a multiple of 16).</param>
/// <param name="NumClasses">Number of output classes.</param>
/// <param name="BaseChannels">Channels of the first convolution.</param>
/// <param name="Bottleneck">Length of the feature vector the forest classifies.</param>
/// <param name="Trees">Trees of the random forest.</param>
/// <param name="MinLeaf">Fewest training samples in a leaf.</param>
/// <param name="MaxDepth">Deepest a tree may grow; 0 = unlimited.</param>
public sealed record AeCfeConfig(
    int ImageSize = 64,
    int NumClasses = 13,
    int BaseChannels = 32,
    int Bottleneck = 256,
    int Trees = 100,
    int MinLeaf = 3,
    int MaxDepth = 0)
{
    /// <summary>Throws <see cref="ArgumentException"/> with a one-line reason when a value is out of range.</summary>
    public AeCfeConfig Validate()
    {
        if (ImageSize < 16 || ImageSize % 16 != 0) throw new ArgumentException($"image size must be a multiple of 16 (got {ImageSize})");
        if (NumClasses < 2) throw new ArgumentException($"number of classes must be ≥ 2 (got {NumClasses})");
        if (BaseChannels < 1) throw new ArgumentException($"base channels must be ≥ 1 (got {BaseChannels})");
        if (Bottleneck < 1) throw new ArgumentException($"bottleneck must be ≥ 1 (got {Bottleneck})");
        if (Trees < 1) throw new ArgumentException($"trees must be ≥ 1 (got {Trees})");
        if (MinLeaf < 1) throw new ArgumentException($"min leaf must be ≥ 1 (got {MinLeaf})");
        if (MaxDepth < 0) throw new ArgumentException($"max depth must be ≥ 0 (got {MaxDepth})");
        return this;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Serialises to JSON with snake_case keys (as stored in model files).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    public static AeCfeConfig FromJson(string json) =>
        (JsonSerializer.Deserialize<AeCfeConfig>(json, JsonOptions) ?? throw new JsonException("config is null")).Validate();
}
