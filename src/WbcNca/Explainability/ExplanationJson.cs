using System.Text;
using System.Text.Json;

namespace WbcNca.Explainability;

/// <summary>
/// The JSON form of an <see cref="Explanation"/>: prediction, the relevance budget (logit = channels + biases + ε share),
/// the top channels with their focus, the focus score, and every channel's relevance, pooled value and pooled location;
/// which white cell of the image was explained (<c>cell</c>, 0 for the first, and <c>cells_in_image</c>) with its nucleus's
/// <c>box</c> and <c>frame</c> in pixels of the uploaded image, as <c>predict --json</c> gives them.
/// Keys are snake_case; class-indexed arrays follow the model's class order; NaN is written as null.
/// </summary>
public static class ExplanationJson
{
    /// <summary>Serialises one explanation (indented).</summary>
    public static string Write(Explanation e, IReadOnlyList<string> classes, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            var p = e.Prediction;
            var r = e.Relevance;
            w.WriteStartObject();
            w.WriteString("source", e.Source);
            w.WriteNumber("width", e.Image.Width);
            w.WriteNumber("height", e.Image.Height);
            if (e.Cells.Count > 0)
            {
                w.WriteNumber("cell", e.Cell);
                w.WriteNumber("cells_in_image", e.Cells.Count);
                if (e.Location is { CellFound: true, Cell: { } n } at)
                {
                    w.WriteStartObject("box");
                    w.WriteNumber("x", (int)Math.Round(n.X));
                    w.WriteNumber("y", (int)Math.Round(n.Y));
                    w.WriteNumber("width", (int)Math.Round(n.Width));
                    w.WriteNumber("height", (int)Math.Round(n.Height));
                    w.WriteEndObject();
                    w.WriteStartObject("frame");
                    w.WriteNumber("x", at.Left);
                    w.WriteNumber("y", at.Top);
                    w.WriteNumber("side", at.SidePixels);
                    w.WriteEndObject();
                }
            }
            w.WriteString("predicted_class", p.ClassName);
            w.WriteNumber("predicted_index", p.Index);
            w.WriteNumber("confidence", p.Confidence);
            w.WriteNumber("samples", e.Samples);
            w.WriteNumber("seed", seed);
            w.WriteStartObject("probabilities");
            for (int c = 0; c < classes.Count; c++) w.WriteNumber(classes[c], p.Probabilities[c]);
            w.WriteEndObject();
            if (e.Samples > 1)
            {
                w.WriteStartObject("probability_std");
                for (int c = 0; c < classes.Count; c++) w.WriteNumber(classes[c], p.ProbabilityStd[c]);
                w.WriteEndObject();
            }
            w.WriteStartObject("logits");
            for (int c = 0; c < classes.Count; c++) w.WriteNumber(classes[c], p.Logits[c]);
            w.WriteEndObject();

            w.WriteStartObject("relevance");
            w.WriteString("rule", "epsilon");
            w.WriteNumber("epsilon", r.Epsilon);
            w.WriteString("explained_class", classes[r.TargetClass]);
            w.WriteNumber("explained_index", r.TargetClass);
            w.WriteNumber("logit", r.Logit);
            w.WriteNumber("channel_sum", r.RelevanceSum);
            w.WriteNumber("output_bias_share", r.OutputBiasShare);
            w.WriteNumber("hidden_bias_share", r.HiddenBiasShare);
            w.WriteNumber("epsilon_share", r.EpsilonShare);
            w.WriteEndObject();

            w.WriteStartObject("focus");
            Number(w, "score", e.Focus.Score);
            Number(w, "pooled_inside_share", e.Focus.PooledInsideShare);
            w.WriteNumber("cell_area_fraction", e.Focus.AreaFraction);
            w.WriteString("mask_signal", e.Mask.Signal.ToString());
            Number(w, "mask_threshold", e.Mask.Threshold);
            w.WriteEndObject();

            w.WriteStartArray("top_channels");
            for (int k = 0; k < e.TopChannels.Length; k++)
            {
                int c = e.TopChannels[k];
                var f = e.Focus.Channels[k];
                w.WriteStartObject();
                w.WriteNumber("rank", k + 1);
                w.WriteNumber("channel", c);
                w.WriteNumber("relevance", r.Relevance[c]);
                w.WriteNumber("pooled", e.Maps.Pooled[c]);
                WriteLocation(w, e.Maps.PooledLocation[c]);
                Number(w, "inside_share", f.InsideShare);
                w.WriteBoolean("pooled_inside", f.PooledInside);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("channels");
            for (int c = 0; c < e.Maps.Channels; c++)
            {
                w.WriteStartObject();
                w.WriteNumber("channel", c);
                w.WriteNumber("relevance", r.Relevance[c]);
                if (e.Samples > 1) w.WriteNumber("relevance_std", e.RelevanceStd[c]);
                w.WriteNumber("pooled", e.Maps.Pooled[c]);
                WriteLocation(w, e.Maps.PooledLocation[c]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Serialises a <see cref="FocusSummary"/> (indented).</summary>
    public static string Write(FocusSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("classes");
            foreach (var c in summary.Classes)
            {
                w.WriteStartObject();
                w.WriteString("class", c.Name);
                w.WriteNumber("label", c.Label);
                w.WriteNumber("images", c.Count);
                Number(w, "mean_focus", c.MeanScore);
                Number(w, "median_focus", c.MedianScore);
                Number(w, "mean_pooled_inside_share", c.MeanPooledInsideShare);
                Number(w, "mean_cell_area_fraction", c.MeanAreaFraction);
                Number(w, "background_share", c.BackgroundShare);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("images");
            foreach (var i in summary.Images)
            {
                w.WriteStartObject();
                w.WriteString("path", i.Path);
                w.WriteNumber("label", i.Label);
                w.WriteString("predicted", i.Predicted);
                Number(w, "focus", i.Score);
                Number(w, "pooled_inside_share", i.PooledInsideShare);
                w.WriteNumber("cell_area_fraction", i.AreaFraction);
                w.WriteBoolean("looks_at_background", i.LooksAtBackground);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("skipped");
            foreach (string s in summary.Skipped) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static void WriteLocation(Utf8JsonWriter w, (int X, int Y) at)
    {
        w.WriteStartArray("pooled_location");
        w.WriteNumberValue(at.X);
        w.WriteNumberValue(at.Y);
        w.WriteEndArray();
    }
}
