using System.Globalization;
using System.Net;
using System.Text;

namespace WbcNca.Explainability;

/// <summary>One image of an <see cref="HtmlReport"/>: its explanation and its rendered figure.</summary>
/// <param name="Explanation">The explanation.</param>
/// <param name="FigurePng">The figure (PNG bytes), embedded as a data URI.</param>
/// <param name="JsonFile">Name of the image's JSON file next to the report, linked from the report (null: no link).</param>
public sealed record ReportEntry(Explanation Explanation, byte[] FigurePng, string? JsonFile = null);

/// <summary>
/// One self-contained HTML page for a set of explained images: no scripts, no external style sheets, fonts or images
/// (figures are embedded as base64 PNG). It holds the model and options, a summary table (prediction, probability,
/// uncertainty over the stochastic runs, focus on the cell), the focus summarised per predicted class, and per image
/// the probabilities, the figure and the top channels.
/// </summary>
public sealed class HtmlReport
{
    private readonly string title;
    private readonly IReadOnlyList<string> classes;
    private readonly IReadOnlyList<KeyValuePair<string, string>> facts;
    private readonly StringBuilder sections = new();
    private readonly List<(string Source, Inference.Prediction Prediction, int Samples, ImageFocus Focus)> rows = [];

    /// <summary>Starts a report; add images with <see cref="Add"/> (each is rendered at once, so only its numbers stay in memory), then call <see cref="ToHtml"/>.</summary>
    /// <param name="title">Page title.</param>
    /// <param name="classes">The model's class names.</param>
    /// <param name="facts">Model and option facts shown as a table (e.g. model file, ε, samples, seed).</param>
    public HtmlReport(string title, IReadOnlyList<string> classes, IReadOnlyList<KeyValuePair<string, string>> facts)
    {
        this.title = title ?? throw new ArgumentNullException(nameof(title));
        this.classes = classes ?? throw new ArgumentNullException(nameof(classes));
        this.facts = facts ?? throw new ArgumentNullException(nameof(facts));
    }

    /// <summary>Number of images added.</summary>
    public int Count => rows.Count;

    /// <summary>Adds one image.</summary>
    public void Add(ReportEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var e = entry.Explanation;
        rows.Add((e.Source, e.Prediction, e.Samples, FocusSummary.FromExplanation(e, e.Prediction.Index)));
        AppendImage(sections, rows.Count, entry, classes);
    }

    /// <summary>Builds the page in one call.</summary>
    public static string Build(string title, IReadOnlyList<string> classes, IReadOnlyList<KeyValuePair<string, string>> facts,
        IReadOnlyList<ReportEntry> entries, IReadOnlyList<string>? skipped = null)
    {
        var report = new HtmlReport(title, classes, facts);
        foreach (var entry in entries) report.Add(entry);
        return report.ToHtml(skipped);
    }

    /// <summary>The page; <paramref name="skipped"/> lists images that could not be read.</summary>
    public string ToHtml(IReadOnlyList<string>? skipped = null)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append("<title>").Append(E(title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        h.Append("<h1>").Append(E(title)).Append("</h1>\n");

        h.Append("<table class=\"facts\">\n");
        foreach (var (k, v) in facts) h.Append("<tr><th>").Append(E(k)).Append("</th><td>").Append(E(v)).Append("</td></tr>\n");
        h.Append("</table>\n");

        bool uncertainty = rows.Any(x => x.Samples > 1);
        h.Append("<h2>Summary</h2>\n<table>\n<thead><tr><th>#</th><th>image</th><th>predicted</th><th class=\"num\">probability</th>");
        if (uncertainty) h.Append("<th class=\"num\">± std</th>");
        h.Append("<th>runner-up</th><th class=\"num\">focus on cell</th><th class=\"num\">cell area</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < rows.Count; i++)
        {
            var (source, p, _, focus) = rows[i];
            int second = Enumerable.Range(0, p.Probabilities.Length).Where(c => c != p.Index).DefaultIfEmpty(p.Index).MaxBy(c => p.Probabilities[c]);
            h.Append("<tr><td>").Append(i + 1).Append("</td><td><a href=\"#img-").Append(i + 1).Append("\">").Append(E(Path.GetFileName(source))).Append("</a></td>");
            h.Append("<td><b>").Append(E(p.ClassName)).Append("</b></td><td class=\"num\">").Append(F(p.Confidence, "0.000")).Append("</td>");
            if (uncertainty) h.Append("<td class=\"num\">").Append(F(p.ProbabilityStd[p.Index], "0.000")).Append("</td>");
            h.Append("<td>").Append(E(classes[second])).Append(' ').Append(F(p.Probabilities[second], "0.000")).Append("</td>");
            h.Append("<td class=\"num").Append(focus.LooksAtBackground ? " warn" : "").Append("\">").Append(F(focus.Score, "0.00")).Append("</td>");
            h.Append("<td class=\"num\">").Append(F(focus.AreaFraction, "0.00")).Append("</td></tr>\n");
        }
        h.Append("</tbody>\n</table>\n");
        if (skipped is { Count: > 0 })
        {
            h.Append("<p class=\"warn\">").Append(skipped.Count).Append(" unreadable image(s) skipped:</p>\n<ul>\n");
            foreach (string s in skipped) h.Append("<li>").Append(E(s)).Append("</li>\n");
            h.Append("</ul>\n");
        }

        var byClass = FocusSummary.FromImages(rows.Select(x => x.Focus).ToList(), classes);
        h.Append("<h2>Where does it look? (per predicted class)</h2>\n");
        h.Append("<p>Focus on cell: the share of the top channels' activation (each map minus its minimum, weighted by positive relevance) ")
         .Append("that lies inside the cell mask (Otsu threshold on the stain). A value near the cell's area fraction means no preference; ")
         .Append("below it, the model decides on the background.</p>\n");
        h.Append("<table>\n<thead><tr><th>class</th><th class=\"num\">images</th><th class=\"num\">mean focus</th><th class=\"num\">median</th>")
         .Append("<th class=\"num\">pooled max in cell</th><th class=\"num\">cell area</th><th class=\"num\">looks at background</th></tr></thead>\n<tbody>\n");
        foreach (var c in byClass.Classes)
            h.Append("<tr><td>").Append(E(c.Name)).Append("</td><td class=\"num\">").Append(c.Count).Append("</td><td class=\"num\">").Append(F(c.MeanScore, "0.00"))
             .Append("</td><td class=\"num\">").Append(F(c.MedianScore, "0.00")).Append("</td><td class=\"num\">").Append(F(c.MeanPooledInsideShare, "0.00"))
             .Append("</td><td class=\"num\">").Append(F(c.MeanAreaFraction, "0.00")).Append("</td><td class=\"num\">").Append(F(100 * c.BackgroundShare, "0")).Append("%</td></tr>\n");
        h.Append("</tbody>\n</table>\n");

        h.Append(sections);

        h.Append("<footer><p>Relevance: layer-wise relevance propagation with the ε-rule from the explained class's logit through the classifier head ")
         .Append("to the pooled NCA channels; logit = Σ channel relevances + the biases' share (+ the ε share). Red: for the class, blue: against it. ")
         .Append("Channel maps: each channel after the last NCA step, on its own colour scale; the ring marks the maximum that max pooling passes on.</p></footer>\n");
        h.Append("</body>\n</html>\n");
        return h.ToString();
    }

    private static void AppendImage(StringBuilder h, int number, ReportEntry entry, IReadOnlyList<string> classes)
    {
        var e = entry.Explanation;
        var p = e.Prediction;
        var r = e.Relevance;
        h.Append("<section id=\"img-").Append(number).Append("\">\n<h2>").Append(number).Append(". ").Append(E(Path.GetFileName(e.Source))).Append("</h2>\n");
        h.Append("<p class=\"path\">").Append(E(e.Source));
        if (entry.JsonFile is not null) h.Append(" · <a href=\"").Append(E(Uri.EscapeDataString(entry.JsonFile))).Append("\">JSON</a>");
        h.Append("</p>\n<p>Predicted <b>").Append(E(p.ClassName)).Append("</b> with probability ").Append(F(p.Confidence, "0.000"));
        if (e.Samples > 1) h.Append(" ± ").Append(F(p.ProbabilityStd[p.Index], "0.000")).Append(" (std over ").Append(e.Samples).Append(" stochastic runs)");
        h.Append(". Explained class: <b>").Append(E(classes[r.TargetClass])).Append("</b>, logit ").Append(F(r.Logit, "0.000"))
         .Append(" = channels ").Append(F(r.RelevanceSum, "0.000")).Append(" + biases ").Append(F(r.BiasShare, "0.000"));
        if (r.Epsilon > 0) h.Append(" + ε share ").Append(F(r.EpsilonShare, "0.000"));
        h.Append(" (ε = ").Append(F(r.Epsilon, "0.####")).Append("). Focus on cell ").Append(F(e.Focus.Score, "0.00"))
         .Append(", cell area ").Append(F(e.Focus.AreaFraction, "0.00")).Append(".</p>\n");

        h.Append("<div class=\"row\">\n<table class=\"probs\">\n<thead><tr><th>class</th><th class=\"num\">probability</th>");
        if (e.Samples > 1) h.Append("<th class=\"num\">± std</th>");
        h.Append("<th></th></tr></thead>\n<tbody>\n");
        foreach (int c in Enumerable.Range(0, classes.Count).OrderByDescending(c => p.Probabilities[c]))
        {
            h.Append("<tr").Append(c == p.Index ? " class=\"best\"" : "").Append("><td>").Append(E(classes[c])).Append("</td><td class=\"num\">").Append(F(p.Probabilities[c], "0.000")).Append("</td>");
            if (e.Samples > 1) h.Append("<td class=\"num\">").Append(F(p.ProbabilityStd[c], "0.000")).Append("</td>");
            h.Append("<td><div class=\"bar\" style=\"width:").Append(F(Math.Clamp(100.0 * p.Probabilities[c], 0, 100), "0.0")).Append("%\"></div></td></tr>\n");
        }
        h.Append("</tbody>\n</table>\n");
        h.Append("<table class=\"top\">\n<thead><tr><th>rank</th><th>channel</th><th class=\"num\">relevance</th><th class=\"num\">pooled</th><th>max at</th><th class=\"num\">in cell</th></tr></thead>\n<tbody>\n");
        for (int k = 0; k < e.TopChannels.Length; k++)
        {
            int c = e.TopChannels[k];
            var f = e.Focus.Channels[k];
            var (x, y) = e.Maps.PooledLocation[c];
            h.Append("<tr><td>").Append(k + 1).Append("</td><td>").Append(E(ExplanationFigure.ChannelName(c))).Append("</td><td class=\"num ")
             .Append(r.Relevance[c] >= 0 ? "pos" : "neg").Append("\">").Append(F(r.Relevance[c], "+0.000;-0.000")).Append("</td><td class=\"num\">")
             .Append(F(e.Maps.Pooled[c], "0.000")).Append("</td><td>(").Append(x).Append(", ").Append(y).Append(')').Append(f.PooledInside ? " in cell" : " background")
             .Append("</td><td class=\"num\">").Append(F(100 * f.InsideShare, "0")).Append("%</td></tr>\n");
        }
        h.Append("</tbody>\n</table>\n</div>\n");
        h.Append("<img src=\"data:image/png;base64,").Append(Convert.ToBase64String(entry.FigurePng)).Append("\" alt=\"explanation of ")
         .Append(E(Path.GetFileName(e.Source))).Append("\">\n</section>\n");
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private const string Css = """
        body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 1200px; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
        table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
        th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #ddd; text-align: left; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        .facts th { color: #555; font-weight: normal; }
        .warn { color: #b22222; } .pos { color: #b22222; } .neg { color: #1f52a0; }
        .best td { font-weight: bold; }
        .row { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; }
        .bar { height: 0.8em; background: #4c78a8; min-width: 1px; }
        .probs td:last-child { width: 160px; }
        .path { color: #666; font-size: 0.85em; word-break: break-all; }
        img { max-width: 100%; height: auto; border: 1px solid #eee; }
        footer { margin-top: 2em; color: #555; font-size: 0.85em; }

        """;
}
