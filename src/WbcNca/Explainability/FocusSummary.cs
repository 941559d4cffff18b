using WbcNca.Imaging;
using WbcNca.Inference;

namespace WbcNca.Explainability;

/// <summary>The "where does it look" numbers of one labelled image.</summary>
/// <param name="Path">The image.</param>
/// <param name="Label">True label (index into the summary's label names).</param>
/// <param name="Predicted">Predicted class name.</param>
/// <param name="Score">See <see cref="FocusScore.Score"/>.</param>
/// <param name="PooledInsideShare">See <see cref="FocusScore.PooledInsideShare"/>.</param>
/// <param name="AreaFraction">See <see cref="FocusScore.AreaFraction"/>.</param>
public sealed record ImageFocus(string Path, int Label, string Predicted, double Score, double PooledInsideShare, double AreaFraction)
{
    /// <summary>True when the evidence lies mostly outside the cell (<see cref="FocusScore.EvidenceOffCell"/>): the model looks at the background.</summary>
    public bool LooksAtBackground => FocusScore.EvidenceOffCell(Score, PooledInsideShare, AreaFraction);
}

/// <summary>The "where does it look" numbers of one class.</summary>
/// <param name="Label">Label index.</param>
/// <param name="Name">Label name.</param>
/// <param name="Count">Images of the class.</param>
/// <param name="MeanScore">Mean focus score.</param>
/// <param name="MedianScore">Median focus score.</param>
/// <param name="MeanPooledInsideShare">Mean relevance-weighted share of top channels whose pooled maximum lies in the cell.</param>
/// <param name="MeanAreaFraction">Mean share of the image inside the cell mask (the chance level of the score).</param>
/// <param name="BackgroundShare">Share of the class's images whose evidence lies mostly outside the cell (<see cref="ImageFocus.LooksAtBackground"/>).</param>
public sealed record ClassFocus(int Label, string Name, int Count, double MeanScore, double MedianScore, double MeanPooledInsideShare, double MeanAreaFraction, double BackgroundShare);

/// <summary>
/// "Where does it look", per image and per class, over a labelled set of images (paper Sec. 3: a model should decide on the
/// cell, not on the background). Meant for <c>explain</c> and for <c>evaluate --explain-summary</c>.
/// </summary>
/// <param name="Images">Per image, in input order (unreadable images skipped when asked to).</param>
/// <param name="Classes">Per label that occurs, in label order.</param>
/// <param name="Skipped">Messages of unreadable images that were skipped.</param>
public sealed record FocusSummary(IReadOnlyList<ImageFocus> Images, IReadOnlyList<ClassFocus> Classes, IReadOnlyList<string> Skipped)
{
    /// <summary>
    /// Explains every (image, label) with <paramref name="explainer"/> and summarises the focus per class.
    /// <paramref name="progress"/> is called after every image with the number done. With <paramref name="skipBadImages"/>
    /// unreadable images are skipped (listed in <see cref="Skipped"/>), otherwise their <see cref="ImageLoadException"/> propagates.
    /// </summary>
    public static FocusSummary Compute(Explainer explainer, IReadOnlyList<(string Path, int Label)> items, IReadOnlyList<string> labelNames,
        ExplainOptions options, PredictOptions run, Action<int>? progress = null, bool skipBadImages = false)
    {
        ArgumentNullException.ThrowIfNull(explainer);
        ArgumentNullException.ThrowIfNull(items);
        var images = new List<ImageFocus>(items.Count);
        var skipped = new List<string>();
        int done = 0;
        foreach (var (path, label) in items)
        {
            try
            {
                Explanation e = explainer.Explain(path, options, run);
                images.Add(FromExplanation(e, label));
            }
            catch (ImageLoadException e) when (skipBadImages)
            {
                skipped.Add(e.Message);
            }
            progress?.Invoke(++done);
        }
        return FromImages(images, labelNames, skipped);
    }

    /// <summary>The per-image numbers of an explanation.</summary>
    public static ImageFocus FromExplanation(Explanation explanation, int label) =>
        new(explanation.Source, label, explanation.Prediction.ClassName, explanation.Focus.Score, explanation.Focus.PooledInsideShare, explanation.Focus.AreaFraction);

    /// <summary>Summarises per-image numbers per class (classes without images are left out).</summary>
    public static FocusSummary FromImages(IReadOnlyList<ImageFocus> images, IReadOnlyList<string> labelNames, IReadOnlyList<string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labelNames);
        var classes = images.Where(i => !double.IsNaN(i.Score)).GroupBy(i => i.Label).OrderBy(g => g.Key).Select(g =>
        {
            var scores = g.Select(i => i.Score).Order().ToArray();
            double median = scores.Length % 2 == 1 ? scores[scores.Length / 2] : (scores[scores.Length / 2 - 1] + scores[scores.Length / 2]) / 2;
            string name = g.Key >= 0 && g.Key < labelNames.Count ? labelNames[g.Key] : g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new ClassFocus(g.Key, name, scores.Length, scores.Average(), median, g.Average(i => i.PooledInsideShare),
                g.Average(i => i.AreaFraction), g.Count(i => i.LooksAtBackground) / (double)scores.Length);
        }).ToList();
        return new FocusSummary(images, classes, skipped ?? []);
    }
}
