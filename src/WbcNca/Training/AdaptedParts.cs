namespace WbcNca.Training;

/// <summary>What <see cref="HeadAdaptation"/> fits to a new lab's labelled cells.</summary>
public enum AdaptedParts
{
    /// <summary>The classifier head alone (the cellular automaton and the input's colours stay as trained): seconds.</summary>
    Head,

    /// <summary>
    /// The head and the input's colours: a gain and an offset per colour channel of the normalised input, learned through
    /// the trained automaton (its rule unchanged) and folded into the model's normalisation statistics, so every path
    /// that reads the model (predict, evaluate, serve, the ONNX export) applies them with nothing new: minutes.
    /// </summary>
    Colour,

    /// <summary>The head and the automaton's rule and perception together: minutes.</summary>
    All,
}

/// <summary>Names of <see cref="AdaptedParts"/>.</summary>
public static class AdaptedPartsNames
{
    /// <summary>The option values, as <c>adapt --tune</c> takes them.</summary>
    public static IReadOnlyList<string> OptionValues { get; } = ["head", "colour", "all"];

    /// <summary>The value of <c>--tune</c> (one of <see cref="OptionValues"/>).</summary>
    /// <exception cref="ArgumentException">Not one of them.</exception>
    public static AdaptedParts Parse(string value) => value switch
    {
        "head" => AdaptedParts.Head,
        "colour" => AdaptedParts.Colour,
        "all" => AdaptedParts.All,
        _ => throw new ArgumentException($"unknown part '{value}' (expected one of: {string.Join(", ", OptionValues)})"),
    };

    /// <summary>What is fitted, as words: "head", "head, colours" or "head, automaton".</summary>
    public static string Describe(this AdaptedParts parts) => parts switch
    {
        AdaptedParts.All => "head, automaton",
        AdaptedParts.Colour => "head, colours",
        _ => "head",
    };
}
