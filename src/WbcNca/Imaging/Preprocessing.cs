using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WbcNca.Imaging;

/// <summary>How the model's view of an image is framed (see <see cref="CellLocator"/>).</summary>
public enum Framing
{
    /// <summary>The whole image, resized to the model's input (the paper's way).</summary>
    Whole,

    /// <summary>A square centred on the nucleus, <see cref="Preprocessing.NucleusFactor"/> × the nucleus extent a side.</summary>
    Nucleus,

    /// <summary>
    /// A square centred on the nucleus, <see cref="Preprocessing.RedCells"/> red-cell diameters a side (the same physical
    /// size in every lab); the nucleus rule where too few red cells are visible.
    /// </summary>
    Cell,
}

/// <summary>How the colours of an image are mapped before they enter the model.</summary>
public enum ColorMode
{
    /// <summary>As decoded.</summary>
    Rgb,

    /// <summary>
    /// Semantic anchors: per channel, the affine map that sends this image's background colour and nucleus colour (from
    /// <see cref="CellLocator"/>) to fixed reference colours (Acevedo-20's, <see cref="Preprocessing.ReferenceBackground"/>,
    /// <see cref="Preprocessing.ReferenceNucleus"/>). Unlike global per-image statistics it does not depend on how much
    /// of the image the cell fills.
    /// </summary>
    Anchors,

    /// <summary>
    /// Stain anchors in optical density (<see cref="StainAnchors"/>): the background, the nucleus and the red cells go to
    /// Acevedo-20's colours, and every colour in between keeps its mix of the two dyes relative to them; images without
    /// visible red cells get <see cref="Anchors"/>.
    /// </summary>
    Stains,
}

/// <summary>
/// Everything between a decoded image and the model's input besides resizing and normalisation: the framing and the
/// colour mapping. One record, stored in every model file and run config, used by training, validation,
/// <c>evaluate</c>, <c>predict</c>, <c>explain</c> and <c>serve</c> through <see cref="ImagePreprocessor"/>. Model
/// files without it read as <see cref="Default"/> (whole image, colours as decoded).
/// </summary>
/// <param name="Framing">Whole image, or a square on the located cell.</param>
/// <param name="NucleusFactor">Frame side in nucleus extents (the nucleus rule; also the cell rule's fallback).</param>
/// <param name="RedCells">Frame side in red-cell diameters (the cell rule).</param>
/// <param name="Color">Colour mapping.</param>
public sealed record Preprocessing(Framing Framing = Framing.Whole, double NucleusFactor = 2.4, double RedCells = 3.5, ColorMode Color = ColorMode.Rgb)
{
    /// <summary>Whole image, colours as decoded: what every model before framing used.</summary>
    public static Preprocessing Default { get; } = new();

    /// <summary>
    /// Reference background colour of <see cref="ColorMode.Anchors"/>: the median background of Acevedo-20 images (RGB in
    /// [0, 1]), as <see cref="CellLocator"/> measures it.
    /// </summary>
    public static IReadOnlyList<float> ReferenceBackground { get; } = [0.9987f, 0.9008f, 0.7981f];

    /// <summary>Reference nucleus colour of <see cref="ColorMode.Anchors"/>: the median nucleus colour of Acevedo-20 images.</summary>
    public static IReadOnlyList<float> ReferenceNucleus { get; } = [0.3563f, 0.1817f, 0.5203f];

    /// <summary>
    /// Reference red-cell colour of <see cref="ColorMode.Stains"/>: the median over Acevedo-20 images of the mean colour
    /// of their red cells' stained pixels, as <see cref="CellLocator"/> measures it (<c>wbc-nca stats</c> on all 17,092
    /// images: found in 15,119).
    /// </summary>
    public static IReadOnlyList<float> ReferenceRedCell { get; } = [0.7992f, 0.6540f, 0.6500f];

    /// <summary>
    /// The lab's typical red-cell colour (RGB in [0, 1]; <see cref="LabAnchors.RedCell"/>) that <see cref="ColorMode.Stains"/>
    /// uses for an image without a usable red-cell colour of its own; null (the default, and every trained model's) when
    /// no lab is known. Set for one lab with <see cref="WithLab"/> (<c>--lab-anchors</c>, or <c>adapt</c>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<float>? LabRedCell { get; init; }

    /// <summary>This preprocessing for images of one lab: its red-cell colour stands in where an image lacks one.</summary>
    /// <exception cref="ArgumentException">The colour mapping does not use red cells, or the lab has no red-cell colour.</exception>
    public Preprocessing WithLab(LabAnchors lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        if (Color != ColorMode.Stains)
            throw new ArgumentException($"the model's colours are {Color.ToString().ToLowerInvariant()}; a lab's anchor colours serve only models trained with --colour stains");
        if (lab.RedCell is null) throw new ArgumentException($"the lab file has no red-cell colour (none found in its {lab.Images} images)");
        return this with { LabRedCell = lab.RedCell.ToArray() };
    }

    /// <summary>Value equality, the lab's red-cell colour compared by value.</summary>
    public bool Equals(Preprocessing? other) =>
        other is not null && Framing == other.Framing && NucleusFactor.Equals(other.NucleusFactor) && RedCells.Equals(other.RedCells) && Color == other.Color
        && (LabRedCell is null ? other.LabRedCell is null : other.LabRedCell is not null && LabRedCell.SequenceEqual(other.LabRedCell));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Framing, NucleusFactor, RedCells, Color, LabRedCell is null ? 0 : LabRedCell.Count);

    /// <summary>True when the image is searched for its cell (framing or colour anchors need it).</summary>
    [JsonIgnore]
    public bool NeedsLocator => Framing != Framing.Whole || Color != ColorMode.Rgb;

    /// <summary>Throws <see cref="ArgumentException"/> for factors out of range.</summary>
    public Preprocessing Validate()
    {
        if (!(NucleusFactor >= 1.2 && NucleusFactor <= 10)) throw new ArgumentException($"nucleus factor must be in [1.2, 10] (got {NucleusFactor})");
        if (!(RedCells >= 1 && RedCells <= 20)) throw new ArgumentException($"red-cell factor must be in [1, 20] (got {RedCells})");
        if (LabRedCell is not null && (LabRedCell.Count != 3 || LabRedCell.Any(v => !(v >= 0 && v <= 1))))
            throw new ArgumentException("the lab's red-cell colour needs 3 values in [0, 1]");
        return this;
    }

    /// <summary>
    /// Parses a framing as the CLI writes it: <c>whole</c>, <c>nucleus</c>, <c>nucleus:F</c> (F nucleus extents),
    /// <c>cell</c> or <c>cell:R</c> (R red-cell diameters).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown framing or a bad factor.</exception>
    public Preprocessing WithFraming(string text)
    {
        string[] parts = text.Trim().ToLowerInvariant().Split(':', 2);
        double? factor = null;
        if (parts.Length == 2)
        {
            if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double f))
                throw new ArgumentException($"framing '{text}': '{parts[1]}' is not a number");
            factor = f;
        }
        var result = parts[0] switch
        {
            "whole" when factor is null => this with { Framing = Framing.Whole },
            "nucleus" => this with { Framing = Framing.Nucleus, NucleusFactor = factor ?? NucleusFactor },
            "cell" => this with { Framing = Framing.Cell, RedCells = factor ?? RedCells },
            _ => throw new ArgumentException($"unknown framing '{text}' (expected whole, nucleus[:F] or cell[:R])"),
        };
        return result.Validate();
    }

    /// <summary>Parses a colour mapping: <c>rgb</c>, <c>anchors</c> or <c>stains</c>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public Preprocessing WithColor(string text) => text.Trim().ToLowerInvariant() switch
    {
        "rgb" => this with { Color = ColorMode.Rgb },
        "anchors" => this with { Color = ColorMode.Anchors },
        "stains" => this with { Color = ColorMode.Stains },
        _ => throw new ArgumentException($"unknown colour mapping '{text}' (expected rgb, anchors or stains)"),
    };

    /// <summary>The framing as <see cref="WithFraming"/> reads it.</summary>
    [JsonIgnore]
    public string FramingText => Framing switch
    {
        Framing.Nucleus => string.Create(CultureInfo.InvariantCulture, $"nucleus:{NucleusFactor:0.###}"),
        Framing.Cell => string.Create(CultureInfo.InvariantCulture, $"cell:{RedCells:0.###}"),
        _ => "whole",
    };

    /// <summary>One line for people: framing and colour.</summary>
    public override string ToString() => Framing switch
    {
        Framing.Nucleus => string.Create(CultureInfo.InvariantCulture, $"cell framed at {NucleusFactor:0.###}× its nucleus"),
        Framing.Cell => string.Create(CultureInfo.InvariantCulture, $"cell framed at {RedCells:0.###} red-cell diameters ({NucleusFactor:0.###}× its nucleus without red cells)"),
        _ => "whole image",
    } + Color switch
    {
        ColorMode.Anchors => ", colours anchored to background and nucleus",
        ColorMode.Stains => ", stains anchored to background, nucleus and red cells",
        _ => ", colours as decoded",
    } + (LabRedCell is { } red ? string.Create(CultureInfo.InvariantCulture, $" (the lab's red cells ({red[0]:0.000}, {red[1]:0.000}, {red[2]:0.000}) where an image has none)") : "");

    /// <summary>JSON options of the stored form (snake_case keys, enums as lower-case strings).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The stored form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads the stored form.</summary>
    /// <exception cref="JsonException">Not a preprocessing record.</exception>
    public static Preprocessing FromJson(string json) =>
        (JsonSerializer.Deserialize<Preprocessing>(json, JsonOptions) ?? throw new JsonException("preprocessing is null")).Validate();
}
