namespace WbcNca.Inference;

/// <summary>The JSON object for one prediction, shared by <c>wbc-nca predict --json</c> and the web API.</summary>
public static class PredictionJson
{
    /// <summary>
    /// <c>path</c> (the file, or an uploaded file's name), <c>class</c>, <c>index</c>, <c>confidence</c>, <c>probabilities</c>
    /// and <c>logits</c> (in the model's class order), and <c>probability_std</c> when more than one run was averaged.
    /// </summary>
    public static Dictionary<string, object> Create(string path, Prediction p, bool withUncertainty)
    {
        var o = new Dictionary<string, object>
        {
            ["path"] = path,
            ["class"] = p.ClassName,
            ["index"] = p.Index,
            ["confidence"] = p.Confidence,
            ["probabilities"] = p.Probabilities,
            ["logits"] = p.Logits,
        };
        if (withUncertainty) o["probability_std"] = p.ProbabilityStd;
        return o;
    }
}
