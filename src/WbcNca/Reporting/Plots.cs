using ScottPlot;
using WbcNca.Evaluation;
using WbcNca.IO;
using WbcNca.Training;

namespace WbcNca.Reporting;

/// <summary>PNG plots (ScottPlot) for training runs and reports; every file is written atomically.</summary>
public static class Plots
{
    /// <summary>Training loss (left axis) and training/validation accuracy (right axis) per epoch.</summary>
    public static void TrainingCurves(IReadOnlyList<EpochMetrics> history, string path)
    {
        var plt = new Plot();
        double[] x = history.Select(h => (double)h.Epoch).ToArray();
        var trainLoss = plt.Add.Scatter(x, history.Select(h => h.TrainLoss).ToArray());
        trainLoss.LegendText = "train loss";
        var valLoss = plt.Add.Scatter(x, history.Select(h => h.ValidationLoss).ToArray());
        valLoss.LegendText = "validation loss";
        foreach (var (name, values) in new[]
        {
            ("train accuracy", history.Select(h => h.TrainAccuracy).ToArray()),
            ("validation accuracy", history.Select(h => h.ValidationAccuracy).ToArray()),
            ("validation balanced accuracy", history.Select(h => h.ValidationBalancedAccuracy).ToArray()),
        })
        {
            var s = plt.Add.Scatter(x, values);
            s.LegendText = name;
            s.Axes.YAxis = plt.Axes.Right;
            s.LinePattern = LinePattern.Dashed;
        }
        plt.Axes.Bottom.Label.Text = "epoch";
        plt.Axes.Left.Label.Text = "loss";
        plt.Axes.Right.Label.Text = "accuracy";
        plt.Axes.SetLimitsY(0, 1, plt.Axes.Right);
        plt.ShowLegend(Alignment.UpperCenter);
        Save(plt, path, 900, 550);
    }

    /// <summary>A confusion matrix heat map (rows: true class, columns: predicted), each cell labelled with its count.</summary>
    public static void Confusion(ConfusionMatrix m, string path, string title = "")
    {
        var plt = new Plot();
        int k = m.Size;
        var colormap = new ScottPlot.Colormaps.Viridis();
        for (int t = 0; t < k; t++)
        {
            long support = Math.Max(1, m.Support(t));
            for (int p = 0; p < k; p++)
            {
                double share = (double)m[t, p] / support;
                double top = k - t, bottom = k - t - 1;
                var r = plt.Add.Rectangle(p, p + 1, bottom, top);
                r.FillColor = colormap.GetColor(share);
                r.LineWidth = 0;
                if (m[t, p] > 0)
                {
                    var text = plt.Add.Text(m[t, p].ToString(System.Globalization.CultureInfo.InvariantCulture), p + 0.5, bottom + 0.5);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontColor = share > 0.5 ? Colors.Black : Colors.White;
                    text.LabelFontSize = 11;
                }
            }
        }
        double[] ticks = Enumerable.Range(0, k).Select(i => i + 0.5).ToArray();
        plt.Axes.Bottom.SetTicks(ticks, m.ClassNames.ToArray());
        plt.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plt.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plt.Axes.Left.SetTicks(ticks.Reverse().ToArray(), m.ClassNames.ToArray());
        plt.Axes.Bottom.MinimumSize = 110;
        plt.Axes.Left.MinimumSize = 150;
        plt.Axes.Bottom.Label.Text = "predicted";
        plt.Axes.Left.Label.Text = "true";
        plt.Axes.SetLimits(0, k, 0, k);
        if (title.Length > 0) plt.Title(title);
        Save(plt, path, 300 + 45 * k, 250 + 45 * k);
    }

    /// <summary>
    /// Mean ± std of a metric against a numeric setting (e.g. accuracy against channel count), log₂ x axis positions;
    /// one line per series (e.g. one per training budget), with a legend when there are several.
    /// </summary>
    public static void MetricAgainst(IReadOnlyList<MetricPoint> points, string xLabel, string yLabel, string path, string title = "")
    {
        var plt = new Plot();
        var series = points.GroupBy(p => p.Series).ToArray();
        foreach (var group in series)
        {
            var ordered = group.OrderBy(p => p.X).ToArray();
            double[] xs = ordered.Select(p => Math.Log2(p.X)).ToArray();
            double[] ys = ordered.Select(p => p.Mean).ToArray();
            var line = plt.Add.Scatter(xs, ys);
            if (group.Key.Length > 0) line.LegendText = group.Key;
            var bars = plt.Add.ErrorBar(xs, ys, ordered.Select(p => p.Std).ToArray());
            bars.Color = line.Color;
        }
        double[] ticks = points.Select(p => p.X).Distinct().Order().ToArray();
        plt.Axes.Bottom.SetTicks(ticks.Select(Math.Log2).ToArray(), ticks.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plt.Axes.Bottom.Label.Text = xLabel;
        plt.Axes.Left.Label.Text = yLabel;
        if (series.Length > 1 || series[0].Key.Length > 0) plt.ShowLegend(Edge.Bottom);   // below the axes: it covers no point
        if (title.Length > 0) plt.Title(title);
        Save(plt, path, 700, 450);
    }

    /// <summary>
    /// Reliability diagram: accuracy against mean confidence per confidence bin (the diagonal is a perfectly calibrated
    /// model), with the expected calibration error before and after temperature scaling in the title.
    /// </summary>
    public static void Reliability(ConfidenceReport report, string path, string title = "")
    {
        var plt = new Plot();
        var bins = report.Reliability.Where(b => b.Count > 0).ToArray();
        var diagonal = plt.Add.Line(0, 0, 1, 1);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "perfect calibration";
        var s = plt.Add.Scatter(bins.Select(b => b.Confidence).ToArray(), bins.Select(b => b.Accuracy).ToArray());
        s.LegendText = System.FormattableString.Invariant($"model (T = {report.Temperature:0.##})");
        plt.Axes.SetLimits(0, 1, 0, 1);
        plt.Axes.Bottom.Label.Text = "confidence (top class, calibrated)";
        plt.Axes.Left.Label.Text = "accuracy";
        plt.ShowLegend(Alignment.UpperLeft);
        plt.Title(System.FormattableString.Invariant($"{title}{(title.Length > 0 ? ": " : "")}ECE {report.EceBefore:0.000} → {report.EceAfter:0.000}"));
        Save(plt, path, 600, 550);
    }

    /// <summary>Coverage curve: accuracy of the answers kept against the share kept, the least confident sent to review.</summary>
    public static void Coverage(ConfidenceReport report, string path, string title = "")
    {
        var plt = new Plot();
        plt.Add.Scatter(report.Coverage.Select(p => p.Coverage).ToArray(), report.Coverage.Select(p => p.Accuracy).ToArray());
        plt.Axes.Bottom.Label.Text = "coverage (share of cells answered; the rest go to review)";
        plt.Axes.Left.Label.Text = "accuracy of the answered cells";
        plt.Axes.SetLimitsX(0, 1);
        plt.Title(System.FormattableString.Invariant($"{title}{(title.Length > 0 ? ": " : "")}{report.AccuracyAt(0.8):P1} at 80 % coverage, {report.AccuracyAt(0.9):P1} at 90 %"));
        Save(plt, path, 700, 450);
    }

    private static void Save(Plot plt, string path, int width, int height)
    {
        byte[] png = plt.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }
}
