using WbcNca.Inference;

namespace WbcNca.Evaluation;

/// <summary>
/// How far an evaluation's confidences can be trusted: the model's temperature, the expected calibration error of its
/// top-class confidence before and after temperature scaling with the reliability bins (fine-labelled sets, where the
/// model's classes are the labels), and the coverage curve: sending the least confident answers to review, the accuracy
/// of those kept at each coverage.
/// </summary>
/// <param name="Temperature">The model's calibration temperature (1 = none).</param>
/// <param name="EceBefore">Expected calibration error with T = 1 (NaN for a coarse-labelled set).</param>
/// <param name="EceAfter">Expected calibration error with the model's T (NaN for a coarse-labelled set).</param>
/// <param name="Reliability">Reliability bins after calibration (empty for a coarse-labelled set).</param>
/// <param name="Coverage">Coverage curve: (coverage, accuracy of the kept answers, confidence threshold), coverage 5 %, 10 %, …, 100 %.</param>
public sealed record ConfidenceReport(double Temperature, double EceBefore, double EceAfter,
    IReadOnlyList<(double Confidence, double Accuracy, int Count)> Reliability, IReadOnlyList<(double Coverage, double Accuracy, double Threshold)> Coverage)
{
    /// <summary>Accuracy of the answers kept at the given coverage (the nearest point of the curve at or above it).</summary>
    public double AccuracyAt(double coverage) => Coverage.Where(p => p.Coverage >= coverage - 1e-9).OrderBy(p => p.Coverage).Select(p => p.Accuracy).DefaultIfEmpty(double.NaN).First();

    /// <summary>
    /// Builds the report from uncalibrated probabilities (row-major, the model's classes), the calibration, and per item
    /// whether the evaluated answer (at the set's level) was right.
    /// </summary>
    /// <param name="probabilities">Uncalibrated probabilities.</param>
    /// <param name="classes">The model's classes per row.</param>
    /// <param name="calibration">The model's temperature scaling.</param>
    /// <param name="correct">Per item: the scored answer was right.</param>
    /// <param name="modelLabels">Per item the true class in the model's classes, or null when the set is labelled at another level.</param>
    public static ConfidenceReport From(float[] probabilities, int classes, Calibration calibration, IReadOnlyList<bool> correct, IReadOnlyList<int>? modelLabels)
    {
        float[] calibrated = calibration.Apply(probabilities, classes);
        int n = correct.Count;
        var confidence = new double[n];
        for (int i = 0; i < n; i++)
        {
            float best = 0;
            for (int j = 0; j < classes; j++) best = Math.Max(best, calibrated[i * classes + j]);
            confidence[i] = best;
        }
        int[] order = Enumerable.Range(0, n).OrderByDescending(i => confidence[i]).ToArray();
        var curve = new List<(double, double, double)>();
        for (int step = 1; step <= 20 && n > 0; step++)
        {
            int keep = Math.Max(1, (int)Math.Round(n * step / 20.0));
            int right = 0;
            for (int k = 0; k < keep; k++) if (correct[order[k]]) right++;
            curve.Add((keep / (double)n, right / (double)keep, confidence[order[keep - 1]]));
        }
        if (modelLabels is null) return new ConfidenceReport(calibration.Temperature, double.NaN, double.NaN, [], curve);
        return new ConfidenceReport(calibration.Temperature,
            Calibration.ExpectedCalibrationError(probabilities, modelLabels, classes),
            Calibration.ExpectedCalibrationError(calibrated, modelLabels, classes),
            Calibration.Reliability(calibrated, modelLabels, classes), curve);
    }

    /// <summary>The JSON object: temperature, ece_before, ece_after, reliability (confidence, accuracy, count per bin), coverage (coverage, accuracy, threshold), accuracy_at_80 and accuracy_at_90.</summary>
    public Dictionary<string, object> ToJsonObject() => new()
    {
        ["temperature"] = Temperature,
        ["ece_before"] = EceBefore,
        ["ece_after"] = EceAfter,
        ["reliability"] = Reliability.Select(b => new Dictionary<string, object> { ["confidence"] = b.Confidence, ["accuracy"] = b.Accuracy, ["count"] = b.Count }).ToArray(),
        ["coverage"] = Coverage.Select(p => new Dictionary<string, object> { ["coverage"] = p.Coverage, ["accuracy"] = p.Accuracy, ["threshold"] = p.Threshold }).ToArray(),
        ["accuracy_at_80"] = AccuracyAt(0.8),
        ["accuracy_at_90"] = AccuracyAt(0.9),
    };
}
