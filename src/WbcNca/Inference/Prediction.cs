namespace WbcNca.Inference;

/// <summary>The model's answer for one image.</summary>
/// <param name="Index">Index of the predicted class (argmax of the mean probabilities).</param>
/// <param name="Classes">The model's class names, in the order of <paramref name="Probabilities"/>, <paramref name="Logits"/> and <paramref name="ProbabilityStd"/>.</param>
/// <param name="Probabilities">Softmax probabilities per class (mean over samples).</param>
/// <param name="Logits">Logits per class (mean over samples).</param>
/// <param name="ProbabilityStd">Per-class standard deviation of the probabilities over samples; zeros for a single run.</param>
public sealed record Prediction(int Index, IReadOnlyList<string> Classes, float[] Probabilities, float[] Logits, float[] ProbabilityStd)
{
    /// <summary>Name of the predicted class.</summary>
    public string ClassName => Classes[Index];

    /// <summary>Probability of the predicted class.</summary>
    public float Confidence => Probabilities[Index];

    /// <summary>How unlike the training cells the input is (<see cref="Inference.FeatureDistance"/>; NaN when the model has no such measure).</summary>
    public double FeatureDistance { get; init; } = double.NaN;
}
