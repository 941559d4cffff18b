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
