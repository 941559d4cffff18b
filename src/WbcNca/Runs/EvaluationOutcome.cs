using WbcNca.Data;
using WbcNca.Evaluation;

namespace WbcNca.Runs;

/// <summary>What an <see cref="EvaluationRun"/> gives: the report and the images it evaluated (unreadable ones left out).</summary>
/// <param name="Report">Metrics, confusion, confidence.</param>
/// <param name="Used">The images evaluated, in order.</param>
public sealed record EvaluationOutcome(EvaluationReport Report, IReadOnlyList<LabeledImage> Used);
