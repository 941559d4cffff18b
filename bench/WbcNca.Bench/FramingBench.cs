using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SkiaSharp;
using WbcNca.Data;
using WbcNca.Imaging;

/// <summary>
/// <c>WbcNca.Bench framing --data DIR --figure PNG --json FILE</c>: runs the cell locator over Acevedo-20 (a seeded
/// sample), jtsc and bccd; reports how often a cell is found, which scale framed it, the measured red-cell diameter,
/// nucleus extent and colours (medians), and the locator's time per image; draws 8 cells of each set before framing
/// (with the frame drawn in), framed by the nucleus rule, framed by the red-cell rule, and with anchored colours.
/// </summary>
public static class FramingBench
{
    public static void Run(string data, string figure, string json, int acevedoSample, int modelSize)
    {
        var sets = new (string Name, Dataset Set)[]
        {
            ("acevedo20", DatasetReader.Open("acevedo20", Path.Combine(data, "acevedo20"))),
            ("jtsc", DatasetReader.Open("folder", Path.Combine(data, "jtsc"))),
            ("bccd", DatasetReader.Open("folder", Path.Combine(data, "bccd"))),
        };
        var report = new Dictionary<string, object>();
        var rows = new List<(string Label, List<SKBitmap> Cells)>();
        foreach (var (name, set) in sets)
        {
            var items = set.Items.OrderBy(i => i.RelativePath, StringComparer.Ordinal).ToList();
            if (name == "acevedo20")
            {
                var rng = new Random(0);
                items = items.OrderBy(_ => rng.Next()).Take(acevedoSample).ToList();
            }
            var found = 0; var redScale = 0; var stainMapped = 0;
            var diam = new List<double>(); var extent = new List<double>(); var side = new List<double>();
            var bg = new List<float[]>(); var nuc = new List<float[]>(); var red = new List<float[]>();
            double locateSeconds = 0;
            foreach (var item in items)
            {
                Rgb8Image image = ImageDecoder.Decode8(item.Path);
                var clock = Stopwatch.StartNew();
                CellLocation loc = CellLocator.Locate(image, 2.4, 3.5);
                locateSeconds += clock.Elapsed.TotalSeconds;
                double size = Math.Max(image.Width, image.Height);
                if (!loc.CellFound) continue;
                found++;
                if (loc.Scale == "red_cells") redScale++;
                if (!double.IsNaN(loc.RedCellDiameter)) diam.Add(loc.RedCellDiameter / size);
                extent.Add(loc.Cell!.Extent / size);
                side.Add(loc.Side / size);
                bg.Add([.. loc.Background]);
                nuc.Add([.. loc.Nucleus]);
                if (loc.RedCell is not null) red.Add([.. loc.RedCell]);
                if (StainAnchors.Map(loc) is not null) stainMapped++;
            }
            report[name] = new Dictionary<string, object>
            {
                ["images"] = items.Count,
                ["cell_found"] = found,
                ["red_cell_scale"] = redScale,
                ["median_red_cell_diameter_over_image_side"] = Median(diam),
                ["median_nucleus_extent_over_image_side"] = Median(extent),
                ["median_frame_side_over_image_side"] = Median(side),
                ["median_background_rgb"] = Enumerable.Range(0, 3).Select(c => Median(bg.Select(v => (double)v[c]).ToList())).ToArray(),
                ["median_nucleus_rgb"] = Enumerable.Range(0, 3).Select(c => Median(nuc.Select(v => (double)v[c]).ToList())).ToArray(),
                ["red_cell_colour_found"] = red.Count,
                ["stain_anchor_map"] = stainMapped,
                ["median_red_cell_rgb"] = Enumerable.Range(0, 3).Select(c => Median(red.Select(v => (double)v[c]).ToList())).ToArray(),
                ["locate_ms_per_image"] = 1000 * locateSeconds / Math.Max(1, items.Count),
            };
            Console.WriteLine($"{name}: {JsonSerializer.Serialize(report[name], Json)}");
            // Eight cells, one per class in turn.
            var picks = items.GroupBy(i => i.Label).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
            var chosen = new List<LabeledImage>();
            for (int k = 0; chosen.Count < 8 && k < 100; k++)
                foreach (var g in picks)
                    if (chosen.Count < 8 && k < g.Count) chosen.Add(g[(k * 7) % g.Count]);
            var whole = new List<SKBitmap>(); var nucleus = new List<SKBitmap>(); var cell = new List<SKBitmap>(); var anchored = new List<SKBitmap>(); var stains = new List<SKBitmap>();
            foreach (var item in chosen)
            {
                Rgb8Image image = ImageDecoder.Decode8(item.Path);
                CellLocation loc = CellLocator.Locate(image, 2.4, 3.5);
                whole.Add(WithFrame(image, loc, 96));
                nucleus.Add(Planar(image, new Preprocessing(Framing.Nucleus), modelSize, 96));
                cell.Add(Planar(image, new Preprocessing(Framing.Cell), modelSize, 96));
                anchored.Add(Planar(image, new Preprocessing(Framing.Nucleus, Color: ColorMode.Anchors), modelSize, 96));
                stains.Add(Planar(image, new Preprocessing(Framing.Nucleus, Color: ColorMode.Stains), modelSize, 96));
            }
            rows.Add(($"{name}: original, frame drawn", whole));
            rows.Add(($"{name}: nucleus rule, {modelSize}×{modelSize}", nucleus));
            rows.Add(($"{name}: red-cell rule, {modelSize}×{modelSize}", cell));
            rows.Add(($"{name}: nucleus rule + colour anchors (per channel)", anchored));
            rows.Add(($"{name}: nucleus rule + stain anchors (background, nucleus, red cells)", stains));
        }
        File.WriteAllText(json, JsonSerializer.Serialize(report, new JsonSerializerOptions(Json) { WriteIndented = true }) + "\n");
        Draw(rows, figure);
    }

    /// <summary>Locates the cell of each file, prints "path,x,y" (the nucleus centre) and draws the frames and centres into one PNG, for checking by eye.</summary>
    public static void Check(IReadOnlyList<string> files, string figure)
    {
        var cells = new List<SKBitmap>();
        foreach (string file in files)
        {
            Rgb8Image image = ImageDecoder.Decode8(file);
            CellLocation loc = CellLocator.Locate(image, 2.4, 3.5);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{file},{loc.CenterX:0},{loc.CenterY:0},{image.Width},{image.Height},{loc.CellFound}"));
            SKBitmap bmp = WithFrame(image, loc, 192);
            using var canvas = new SKCanvas(bmp);
            double scale = 192.0 / Math.Max(image.Width, image.Height);
            using var paint = new SKPaint { Color = SKColors.Yellow, StrokeWidth = 2 };
            float cx = (float)(loc.CenterX * scale), cy = (float)(loc.CenterY * scale);
            canvas.DrawLine(cx - 6, cy, cx + 6, cy, paint);
            canvas.DrawLine(cx, cy - 6, cx, cy + 6, paint);
            cells.Add(bmp);
        }
        var rows = cells.Select((c, i) => (i, c)).GroupBy(t => t.i / 4).Select(g => ($"row {g.Key}", g.Select(t => t.c).ToList())).ToList();
        Draw(rows, figure, 192, 4);
    }

    /// <summary>Per Acevedo-20 class: the nucleus extent in red-cell diameters (images with red cells measured), as quantiles.</summary>
    public static void Sizes(string data, int perClass)
    {
        var set = DatasetReader.Open("acevedo20", Path.Combine(data, "acevedo20"));
        foreach (var g in set.Items.GroupBy(i => Path.GetFileName(Path.GetDirectoryName(i.Path)!)).OrderBy(g => g.Key))
        {
            var ratios = new List<double>();
            int found = 0, n = 0;
            foreach (var item in g.OrderBy(i => i.RelativePath, StringComparer.Ordinal).Where((_, k) => k % 5 == 0).Take(perClass))
            {
                n++;
                CellLocation loc = CellLocator.Locate(ImageDecoder.Decode8(item.Path), 2.4, 3.5);
                if (!loc.CellFound) continue;
                found++;
                if (!double.IsNaN(loc.RedCellDiameter) && loc.RedCellCount >= CellLocator.MinRedCells) ratios.Add(loc.Cell!.Extent / loc.RedCellDiameter);
            }
            ratios.Sort();
            string Q(double q) => ratios.Count == 0 ? "-" : ratios[(int)(q * (ratios.Count - 1))].ToString("0.00", CultureInfo.InvariantCulture);
            Console.WriteLine($"{g.Key,-14} images {n} found {found} with red cells {ratios.Count}: extent/diameter q05 {Q(0.05)} q25 {Q(0.25)} median {Q(0.5)} q75 {Q(0.75)} q95 {Q(0.95)}");
        }
    }

    /// <summary>Writes synthetic images that are not white cells: blank, noise, red cells only, text, 1×1, a 3000×3 strip.</summary>
    public static void NonCells(string folder)
    {
        Directory.CreateDirectory(folder);
        void Save(string name, SKBitmap bmp)
        {
            using var data = SKImage.FromBitmap(bmp).Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, name), data.ToArray());
            bmp.Dispose();
        }
        var rng = new Random(0);
        for (int k = 0; k < 5; k++)
        {
            var blank = new SKBitmap(128, 128);
            blank.Erase(new SKColor((byte)(225 + 6 * k), (byte)(210 + 5 * k), (byte)(195 + 8 * k)));
            Save($"blank-{k}.png", blank);
            var noise = new SKBitmap(128, 128);
            for (int y = 0; y < 128; y++) for (int x = 0; x < 128; x++) noise.SetPixel(x, y, new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)));
            Save($"noise-{k}.png", noise);
            var red = new SKBitmap(160, 160);
            using (var c = new SKCanvas(red))
            {
                c.Clear(new SKColor(240, 222, 205));
                using var fill = new SKPaint { Color = new SKColor(222, 150, 158), IsAntialias = true };
                using var pale = new SKPaint { Color = new SKColor(232, 185, 185), IsAntialias = true };
                for (int i = 0; i < 14; i++)
                {
                    float x = rng.Next(10, 150), y = rng.Next(10, 150);
                    c.DrawCircle(x, y, 13, fill);
                    c.DrawCircle(x, y, 5, pale);
                }
            }
            Save($"red-cells-{k}.png", red);
            var text = new SKBitmap(200, 80);
            using (var c = new SKCanvas(text))
            {
                c.Clear(SKColors.White);
                using var font = new SKFont(SKTypeface.Default, 28 + 4 * k);
                using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
                c.DrawText("sample " + (1000 + k), 8, 50, font, ink);
            }
            Save($"text-{k}.png", text);
        }
        var one = new SKBitmap(1, 1);
        one.SetPixel(0, 0, new SKColor(120, 60, 150));
        Save("one-pixel.png", one);
        var strip = new SKBitmap(3000, 3);
        for (int x = 0; x < 3000; x++) for (int y = 0; y < 3; y++) strip.SetPixel(x, y, x % 100 < 50 ? new SKColor(120, 60, 150) : new SKColor(240, 220, 210));
        Save("strip-3000x3.png", strip);
    }

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static double Median(List<double> v)
    {
        if (v.Count == 0) return double.NaN;
        v.Sort();
        return Math.Round(v[v.Count / 2], 4);
    }

    private static SKBitmap ToBitmap(Rgb8Image image)
    {
        var bmp = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                bmp.SetPixel(x, y, new SKColor(image[0, y, x], image[1, y, x], image[2, y, x]));
        return bmp;
    }

    private static SKBitmap WithFrame(Rgb8Image image, CellLocation loc, int panel)
    {
        using SKBitmap src = ToBitmap(image);
        var bmp = new SKBitmap(panel, panel);
        using var canvas = new SKCanvas(bmp);
        canvas.Clear(SKColors.White);
        double scale = (double)panel / Math.Max(image.Width, image.Height);
        var dest = new SKRect(0, 0, (float)(image.Width * scale), (float)(image.Height * scale));
        using var img = SKImage.FromBitmap(src);
        canvas.DrawImage(img, dest, new SKSamplingOptions(SKFilterMode.Linear));
        using var paint = new SKPaint { Color = loc.CellFound ? SKColors.LimeGreen : SKColors.Red, IsStroke = true, StrokeWidth = 2 };
        if (loc.CellFound)
            canvas.DrawRect((float)(loc.Left * scale), (float)(loc.Top * scale), (float)(loc.SidePixels * scale), (float)(loc.SidePixels * scale), paint);
        else canvas.DrawLine(0, 0, panel, panel, paint);
        return bmp;
    }

    private static SKBitmap Planar(Rgb8Image image, Preprocessing pre, int size, int panel)
    {
        var p = new ImagePreprocessor(size, new Normalization("none", [0f, 0f, 0f], [1f, 1f, 1f]), preprocessing: pre);
        var v = new float[3 * size * size];
        p.Process(image, v);
        var px = new byte[3 * size * size];
        int plane = size * size;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++) px[3 * i + c] = (byte)Math.Clamp(Math.Round(v[c * plane + i] * 255), 0, 255);
        using SKBitmap small = ToBitmap(new Rgb8Image(size, size, px));
        var bmp = new SKBitmap(panel, panel);
        using var canvas = new SKCanvas(bmp);
        using var img = SKImage.FromBitmap(small);
        canvas.DrawImage(img, new SKRect(0, 0, panel, panel), new SKSamplingOptions(SKFilterMode.Nearest));
        return bmp;
    }

    private static void Draw(List<(string Label, List<SKBitmap> Cells)> rows, string path, int panel = 96, int columns = 8)
    {
        const int gap = 4, label = 18;
        int width = columns * (panel + gap) + gap, height = rows.Count * (panel + label + gap) + gap;
        using var bmp = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bmp);
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 13);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (int r = 0; r < rows.Count; r++)
        {
            float y = gap + r * (panel + label + gap);
            canvas.DrawText(rows[r].Label, gap, y + 13, font, ink);
            for (int k = 0; k < rows[r].Cells.Count; k++)
            {
                using var img = SKImage.FromBitmap(rows[r].Cells[k]);
                canvas.DrawImage(img, gap + k * (panel + gap), y + label);
                rows[r].Cells[k].Dispose();
            }
        }
        using var data = SKImage.FromBitmap(bmp).Encode(SKEncodedImageFormat.Png, 90);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
