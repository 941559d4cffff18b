using System.Globalization;
using System.Runtime.InteropServices;
using SkiaSharp;
using WbcNca.Imaging;

namespace WbcNca.Explainability;

/// <summary>
/// Renders an <see cref="Explanation"/> as a PNG in the spirit of the paper's Figure 4: a header with the prediction and
/// the relevance budget; a row with the input cell and the final maps of the top channels ranked by relevance (signed
/// relevance and pooled value under each, a ring where the pooled maximum sits); a row with the cell mask and every
/// map overlaid on the cell (its share inside the cell under each); and, when recorded, one row per top channel with its
/// evolution over the steps. For a field of several white cells, a column on the left shows the whole image with every
/// cell's nucleus boxed and numbered from 1, the explained cell's box in <see cref="Highlight"/> with the frame the model
/// saw around it dashed, the others in <see cref="OtherCell"/>. Text needs a usable font (the default typeface or a common system font); without one
/// the figure is drawn without labels (<see cref="TextAvailable"/> is false) — the numbers are also in the JSON and HTML.
/// </summary>
public static class ExplanationFigure
{
    private static readonly Lazy<SKTypeface?> Typeface = new(FindTypeface);

    private static readonly string[] FontFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/System/Library/Fonts/Helvetica.ttc",
        "C:\\Windows\\Fonts\\arial.ttf",
    ];

    /// <summary>Colour of the explained cell's box in a field (magenta: used nowhere else in the figure).</summary>
    public static readonly SKColor Highlight = new(255, 0, 200);

    /// <summary>Colour of the other cells' boxes in a field.</summary>
    public static readonly SKColor OtherCell = new(255, 200, 0);

    /// <summary>True when labels can be drawn (a typeface with Latin glyphs was found).</summary>
    public static bool TextAvailable => Typeface.Value is not null;

    /// <summary>Renders the figure as PNG bytes; <paramref name="panel"/> is the side of each image panel in pixels.</summary>
    public static byte[] RenderPng(Explanation e, IReadOnlyList<string> classes, int panel = 128)
    {
        using SKBitmap bitmap = Render(e, classes, panel);
        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>PNG (<paramref name="panel"/>² pixels) of one channel's map after the last step, viridis from its minimum to its maximum.</summary>
    public static byte[] ChannelMapPng(Explanation e, int channel, int panel = 128)
    {
        ArgumentNullException.ThrowIfNull(e);
        ReadOnlySpan<float> map = e.Maps.Map(channel);
        var (lo, hi) = Range(map);
        using SKImage heat = MapImage(map, e.Maps.Size, lo, hi, Colormap.Viridis, overlayAlpha: false);
        return Encode(panel, canvas => canvas.DrawImage(heat, SKRect.Create(0, 0, panel, panel), new SKSamplingOptions(SKFilterMode.Nearest)));
    }

    /// <summary>
    /// PNG (<paramref name="panel"/>² pixels) of the cell, greyed, under the relevance-weighted sum of the top channels'
    /// maps (each scaled to [0, 1]; channels with negative relevance left out), in inferno with opacity rising with the value.
    /// </summary>
    public static byte[] OverlayPng(Explanation e, int panel = 128)
    {
        ArgumentNullException.ThrowIfNull(e);
        int size = e.Maps.Size;
        var sum = new float[size * size];
        foreach (int c in e.TopChannels)
        {
            double weight = e.Relevance.Relevance[c];
            if (weight <= 0) continue;
            ReadOnlySpan<float> map = e.Maps.Map(c);
            var (lo, hi) = Range(map);
            float span = hi > lo ? hi - lo : 1;
            for (int i = 0; i < sum.Length; i++) sum[i] += (float)(weight * (map[i] - lo) / span);
        }
        var (slo, shi) = Range(sum);
        using SKImage cell = ToImage(Resampler.ResizeBicubic(e.Image, size, size), dim: true);
        using SKImage heat = MapImage(sum, size, slo, shi, Colormap.Inferno, overlayAlpha: true);
        var rect = SKRect.Create(0, 0, panel, panel);
        return Encode(panel, canvas =>
        {
            canvas.DrawImage(cell, rect, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
            canvas.DrawImage(heat, rect, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        });
    }

    private static byte[] Encode(int panel, Action<SKCanvas> draw)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(panel, 8);
        using var bitmap = new SKBitmap(new SKImageInfo(panel, panel, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            draw(canvas);
        }
        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Renders the figure into a new bitmap (the caller disposes it).</summary>
    public static SKBitmap Render(Explanation e, IReadOnlyList<string> classes, int panel = 128)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentOutOfRangeException.ThrowIfLessThan(panel, 32);
        int top = e.TopChannels.Length, gap = 8, caption = 34, header = 76;
        int snapshots = e.Maps.Steps.Length;
        int small = Math.Max(panel / 2, 32);
        int columns = 1 + top;
        using var font = Typeface.Value is { } tf ? new SKFont(tf, 12) : null;
        using var bold = Typeface.Value is { } tb ? new SKFont(tb, 13) { Embolden = true } : null;
        var p = e.Prediction;
        var r = e.Relevance;
        string explained = classes[r.TargetClass];
        string title = $"{Path.GetFileName(e.Source)}{(e.IsField ? $" #{e.Cell + 1}" : "")}:  predicted {p.ClassName} ({F(p.Confidence, "0.000")}{(e.Samples > 1 ? " ± " + F(p.ProbabilityStd[p.Index], "0.000") : "")})"
            + (r.TargetClass != p.Index ? $",  explaining {explained}" : "");
        string budget = $"logit {explained} {F(r.Logit, "+0.00;-0.00")} = channels {F(r.RelevanceSum, "+0.00;-0.00")} + biases {F(r.BiasShare, "+0.00;-0.00")}"
            + (r.Epsilon > 0 ? $" + ε {F(r.EpsilonShare, "+0.00;-0.00")}" : "") + $"  (ε = {F(r.Epsilon, "0.###")})";
        string focusLine = $"{F(100 * e.Focus.Score, "0")} % of the evidence on the cell, which is {F(100 * e.Focus.AreaFraction, "0")} % of the image";
        string sentence = e.Focus.Describe();
        // Columns are at least as wide as their caption lines.
        int captionWidth = font is null ? 0 : (int)Math.Ceiling(e.TopChannels.Select((c, k) => new[] {
            font.MeasureText($"#{k + 1} {ChannelName(c)}: evidence {F(r.Relevance[c], "+0.00;-0.00")}"),
            font.MeasureText($"peak {F(e.Maps.Pooled[c], "0.00")} at ({e.Maps.PooledLocation[c].X}, {e.Maps.PooledLocation[c].Y})"),
            font.MeasureText($"{F(100 * e.Focus.Channels[k].InsideShare, "0")} % of it on the cell") }.Max()).DefaultIfEmpty(0).Max()) + 4;
        int pitch = Math.Max(Math.Max(panel, captionWidth), font is null ? 0 : 112) + gap;
        int textWidth = font is null ? 0 : (int)Math.Ceiling(Math.Max(bold!.MeasureText(title), Math.Max(font.MeasureText(budget), Math.Max(font.MeasureText(focusLine), font.MeasureText(sentence))))) + 2 * gap;
        // A field: the whole image on the left, as tall as the two rows of panels (at most three panels wide); the columns move right.
        Rgb8Image? whole = e.IsField ? e.Original ?? e.Image : null;
        string[] fieldCaption = whole is null ? [] :
        [
            $"the image, {whole.Width}×{whole.Height}: {e.Cells.Count} white cells",
            $"cell {e.Cell + 1} explained (dashed: its frame)",
        ];
        double fieldScale = whole is null ? 0 : Math.Min((2.0 * panel + caption - 34) / whole.Height, 3.0 * panel / whole.Width);
        int fieldWidth = whole is null ? 0 : Math.Max(1, (int)Math.Round(whole.Width * fieldScale));
        int fieldHeight = whole is null ? 0 : Math.Max(1, (int)Math.Round(whole.Height * fieldScale));
        int fieldColumn = whole is null ? 0 : Math.Max(fieldWidth, font is null ? 0 : (int)Math.Ceiling(fieldCaption.Max(l => font.MeasureText(l)))) + gap;
        int x0 = gap + fieldColumn;   // left edge of the first column of panels
        int width = Math.Max(Math.Max(x0 + columns * pitch, gap + 64 + snapshots * (small + 4) + gap), textWidth);
        int evoHeight = snapshots > 0 ? 40 + top * (small + 6) : 0;
        int height = header + 2 * (panel + caption) + evoHeight + gap;

        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = new SKColor(30, 30, 30), IsAntialias = true };
        using var pos = new SKPaint { Color = new SKColor(178, 34, 34), IsAntialias = true };
        using var neg = new SKPaint { Color = new SKColor(31, 82, 160), IsAntialias = true };
        Text(canvas, title, gap, 17, bold, ink);
        Text(canvas, budget, gap, 34, font, ink);
        Text(canvas, focusLine, gap, 50, font, ink);
        Text(canvas, sentence, gap, 66, font, ink);

        int size = e.Maps.Size;
        using SKImage input = ToImage(e.Image);
        int y1 = header, y2 = header + panel + caption;
        if (whole is not null)
        {
            DrawField(canvas, e, whole, SKRect.Create(gap, y1, fieldWidth, fieldHeight), font);
            for (int l = 0; l < fieldCaption.Length; l++) Text(canvas, fieldCaption[l], gap, y1 + fieldHeight + 14 + 14 * l, font, ink);
        }
        var inputRect = SKRect.Create(x0, y1, panel, panel);
        // What the model saw: the (framed) image at the model's input size, drawn with its pixels.
        using (SKImage seen = ToImage(e.Image.Width == size && e.Image.Height == size ? e.Image : Resampler.ResizeBicubic(e.Image, size, size)))
            canvas.DrawImage(seen, inputRect, new SKSamplingOptions(SKFilterMode.Nearest));
        Text(canvas, $"model view {size}×{size}", x0, y1 + panel + 14, font, ink);
        Text(canvas, whole is not null ? $"cell {e.Cell + 1} of {e.Cells.Count}, framed"
            : e.Original is { } o ? $"framed, of {o.Width}×{o.Height}" : $"whole, of {e.Image.Width}×{e.Image.Height}", x0, y1 + panel + 28, font, ink);

        // Row 2, first column: the input with the cell mask outlined.
        var maskRect = SKRect.Create(x0, y2, panel, panel);
        canvas.DrawImage(input, maskRect, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        DrawMaskOutline(canvas, e.Mask, maskRect);
        Text(canvas, "cell mask (Otsu)", x0, y2 + panel + 14, font, ink);

        using SKImage dimmed = ToImage(Resampler.ResizeBicubic(e.Image, size, size), dim: true);
        for (int k = 0; k < top; k++)
        {
            int c = e.TopChannels[k];
            float x = x0 + (k + 1) * pitch;
            ReadOnlySpan<float> map = e.Maps.Map(c);
            var (lo, hi) = Range(map);
            using (SKImage heat = MapImage(map, size, lo, hi, Colormap.Viridis, overlayAlpha: false))
                canvas.DrawImage(heat, SKRect.Create(x, y1, panel, panel), new SKSamplingOptions(SKFilterMode.Nearest));
            var (px, py) = e.Maps.PooledLocation[c];
            float cx = x + (px + 0.5f) * panel / size, cy = y1 + (py + 0.5f) * panel / size;
            using (var ring = new SKPaint { Color = SKColors.Red, IsStroke = true, StrokeWidth = 2, IsAntialias = true })
                canvas.DrawCircle(cx, cy, Math.Max(4f, panel / 20f), ring);
            double rel = r.Relevance[c];
            Text(canvas, $"#{k + 1} {ChannelName(c)}: evidence {F(rel, "+0.00;-0.00")}", x, y1 + panel + 14, font, rel >= 0 ? pos : neg);
            Text(canvas, $"peak {F(e.Maps.Pooled[c], "0.00")} at ({px}, {py})", x, y1 + panel + 28, font, ink);

            canvas.DrawImage(dimmed, SKRect.Create(x, y2, panel, panel), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
            using (SKImage over = MapImage(map, size, lo, hi, Colormap.Inferno, overlayAlpha: true))
                canvas.DrawImage(over, SKRect.Create(x, y2, panel, panel), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
            DrawMaskOutline(canvas, e.Mask, SKRect.Create(x, y2, panel, panel));
            var f = e.Focus.Channels[k];
            Text(canvas, $"{F(100 * f.InsideShare, "0")} % of it on the cell", x, y2 + panel + 14, font, ink);
            Text(canvas, f.PooledInside ? "peak on the cell" : "peak off the cell", x, y2 + panel + 28, font, f.PooledInside ? ink : neg);
        }

        if (snapshots > 0)
        {
            int y3 = y2 + panel + caption + 4;
            Text(canvas, "evolution of the top channels over the steps (each row on one colour scale, its range over all steps):", gap, y3 + 12, font, ink);
            for (int t = 0; t < snapshots; t++) Text(canvas, $"t={e.Maps.Steps[t]}", gap + 64 + t * (small + 4), y3 + 30, font, ink);
            y3 += 36;
            for (int k = 0; k < top; k++)
            {
                int c = e.TopChannels[k];
                float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                for (int t = 0; t < snapshots; t++)
                {
                    var (a, b) = Range(e.Maps.MapAt(t, c));
                    lo = Math.Min(lo, a);
                    hi = Math.Max(hi, b);
                }
                int rowY = y3 + k * (small + 6);
                Text(canvas, ChannelName(c), gap, rowY + small / 2 + 4, font, ink);
                for (int t = 0; t < snapshots; t++)
                {
                    float x = gap + 64 + t * (small + 4);
                    using SKImage heat = MapImage(e.Maps.MapAt(t, c), size, lo, hi, Colormap.Viridis, overlayAlpha: false);
                    canvas.DrawImage(heat, SKRect.Create(x, rowY, small, small), new SKSamplingOptions(SKFilterMode.Nearest));
                }
            }
        }
        canvas.Flush();
        return bitmap;
    }

    /// <summary>
    /// The whole image of a field in <paramref name="rect"/>, every cell's nucleus boxed and numbered from 1: the explained
    /// one in <see cref="Highlight"/>, with the frame the model saw around it dashed, the others in <see cref="OtherCell"/>.
    /// </summary>
    private static void DrawField(SKCanvas canvas, Explanation e, Rgb8Image whole, SKRect rect, SKFont? font)
    {
        using (SKImage field = ToImage(whole))
            canvas.DrawImage(field, rect, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        float sx = rect.Width / whole.Width, sy = rect.Height / whole.Height;
        canvas.Save();
        canvas.ClipRect(rect);
        // The others first, so that the explained cell's box is drawn over them where they touch.
        foreach (int j in Enumerable.Range(0, e.Cells.Count).OrderBy(j => j == e.Cell))
        {
            CellLocation at = e.Cells[j];
            if (at.Cell is not { } n) continue;
            bool chosen = j == e.Cell;
            using var line = new SKPaint { Color = chosen ? Highlight : OtherCell, IsStroke = true, StrokeWidth = chosen ? 3 : 2, IsAntialias = false };
            var box = SKRect.Create(rect.Left + (float)n.X * sx, rect.Top + (float)n.Y * sy, Math.Max(2, (float)n.Width * sx), Math.Max(2, (float)n.Height * sy));
            canvas.DrawRect(box, line);
            if (chosen)
            {
                using var dashed = new SKPaint { Color = Highlight, IsStroke = true, StrokeWidth = 1.5f, IsAntialias = true, PathEffect = SKPathEffect.CreateDash([5, 4], 0) };
                canvas.DrawRect(SKRect.Create(rect.Left + at.Left * sx, rect.Top + at.Top * sy, at.SidePixels * sx, at.SidePixels * sy), dashed);
            }
            if (font is not null)
            {
                string number = (j + 1).ToString(CultureInfo.InvariantCulture);
                float w = font.MeasureText(number) + 6;
                var tag = SKRect.Create(box.Left, Math.Max(rect.Top, box.Top - 16), w, 15);
                using var fill = new SKPaint { Color = chosen ? Highlight : OtherCell, IsAntialias = false };
                using var ink = new SKPaint { Color = chosen ? SKColors.White : new SKColor(30, 30, 30), IsAntialias = true };
                canvas.DrawRect(tag, fill);
                canvas.DrawText(number, tag.Left + 3, tag.Bottom - 3, SKTextAlign.Left, font, ink);
            }
        }
        canvas.Restore();
    }

    /// <summary>"ch 17", or "R"/"G"/"B" input colour channels 0–2.</summary>
    public static string ChannelName(int channel) => channel switch { 0 => "ch 0 (R)", 1 => "ch 1 (G)", 2 => "ch 2 (B)", _ => $"ch {channel}" };

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static void Text(SKCanvas canvas, string text, float x, float y, SKFont? font, SKPaint paint)
    {
        if (font is null) return;
        canvas.DrawText(text, x, y, SKTextAlign.Left, font, paint);
    }

    private static (float Lo, float Hi) Range(ReadOnlySpan<float> map)
    {
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (float v in map) { if (v < lo) lo = v; if (v > hi) hi = v; }
        return (lo, hi);
    }

    private static SKImage MapImage(ReadOnlySpan<float> map, int size, float lo, float hi, Colormap colormap, bool overlayAlpha)
    {
        var rgba = new byte[4 * size * size];
        double span = hi > lo ? hi - lo : 1;
        for (int i = 0; i < map.Length; i++)
        {
            double t = (map[i] - lo) / span;
            var (r, g, b) = colormap.At(t);
            if (overlayAlpha)
            {
                double a = Math.Clamp(t, 0, 1) * 0.85;               // premultiplied: colour × alpha
                rgba[4 * i] = (byte)(r * a); rgba[4 * i + 1] = (byte)(g * a); rgba[4 * i + 2] = (byte)(b * a); rgba[4 * i + 3] = (byte)(255 * a);
            }
            else
            {
                rgba[4 * i] = r; rgba[4 * i + 1] = g; rgba[4 * i + 2] = b; rgba[4 * i + 3] = 255;
            }
        }
        return FromRgba(rgba, size, size);
    }

    private static SKImage ToImage(Rgb8Image image, bool dim = false)
    {
        int n = image.Width * image.Height;
        var rgba = new byte[4 * n];
        byte[] px = image.Pixels;
        for (int i = 0; i < n; i++)
        {
            if (dim)
            {
                // Grey and darkened, so that the overlay's colours stand out.
                byte gray = (byte)((0.299 * px[3 * i] + 0.587 * px[3 * i + 1] + 0.114 * px[3 * i + 2]) * 0.6);
                rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = gray;
            }
            else
            {
                rgba[4 * i] = px[3 * i]; rgba[4 * i + 1] = px[3 * i + 1]; rgba[4 * i + 2] = px[3 * i + 2];
            }
            rgba[4 * i + 3] = 255;
        }
        return FromRgba(rgba, image.Width, image.Height);
    }

    private static SKImage FromRgba(byte[] rgba, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bmp = new SKBitmap(info);
        Marshal.Copy(rgba, 0, bmp.GetPixels(), rgba.Length);
        return SKImage.FromBitmap(bmp);
    }

    private static void DrawMaskOutline(SKCanvas canvas, CellMask mask, SKRect rect)
    {
        using var paint = new SKPaint { Color = new SKColor(0, 230, 255), StrokeWidth = 1.5f, IsStroke = true, IsAntialias = false };
        float sx = rect.Width / mask.Size, sy = rect.Height / mask.Size;
        for (int y = 0; y < mask.Size; y++)
            for (int x = 0; x < mask.Size; x++)
            {
                if (!mask[x, y]) continue;
                float x0 = rect.Left + x * sx, y0 = rect.Top + y * sy;
                if (x == 0 || !mask[x - 1, y]) canvas.DrawLine(x0, y0, x0, y0 + sy, paint);
                if (x == mask.Size - 1 || !mask[x + 1, y]) canvas.DrawLine(x0 + sx, y0, x0 + sx, y0 + sy, paint);
                if (y == 0 || !mask[x, y - 1]) canvas.DrawLine(x0, y0, x0 + sx, y0, paint);
                if (y == mask.Size - 1 || !mask[x, y + 1]) canvas.DrawLine(x0, y0 + sy, x0 + sx, y0 + sy, paint);
            }
    }

    private static SKTypeface? FindTypeface()
    {
        var candidates = new List<Func<SKTypeface?>> { () => SKTypeface.Default, () => SKFontManager.Default.MatchFamily("DejaVu Sans") };
        candidates.AddRange(FontFiles.Select(f => (Func<SKTypeface?>)(() => File.Exists(f) ? SKTypeface.FromFile(f) : null)));
        foreach (var make in candidates)
        {
            try
            {
                SKTypeface? tf = make();
                if (tf is not null && Usable(tf)) return tf;
            }
            catch (Exception ex) when (ex is DllNotFoundException or InvalidOperationException or ArgumentException)
            {
                // try the next one
            }
        }
        return null;
    }

    private static bool Usable(SKTypeface tf)
    {
        using var font = new SKFont(tf, 12);
        ushort[] glyphs = font.GetGlyphs("Aa0±");
        return glyphs.Length == 4 && glyphs.All(g => g != 0) && font.MeasureText("Aa0") > 0;
    }
}
