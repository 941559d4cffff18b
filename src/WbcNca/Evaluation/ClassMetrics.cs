namespace WbcNca.Evaluation;

/// <summary>Per-class figures of an evaluation.</summary>
/// <param name="Name">Class name.</param>
/// <param name="Precision">TP / predicted (0 when nothing was predicted as the class).</param>
/// <param name="Recall">TP / support (0 when the class has no items).</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Support">Items of the class.</param>
/// <param name="PredictedCount">Items predicted as the class.</param>
public sealed record ClassMetrics(string Name, double Precision, double Recall, double F1, long Support, long PredictedCount);
