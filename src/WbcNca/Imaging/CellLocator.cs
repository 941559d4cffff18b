namespace WbcNca.Imaging;

/// <summary>
/// Finds the white cell of a blood-smear image by its stained nucleus and frames it as a square, with one rule for
/// every Romanowsky-type stain (May-Grünwald-Giemsa, Wright, Giemsa, rapid stains) and any framing of the input
/// (a cell centred in a wide field, a tight crop, a whole microscope field with small cells off-centre).
/// <list type="number">
/// <item>The image is averaged down to at most <see cref="AnalysisSide"/> pixels a side.</item>
/// <item>Background: the mean colour of the brightest 15 % of pixels. Each channel is divided by it (white balance,
/// for locating only) and turned into an optical density OD = −ln(value / background).</item>
/// <item>Nucleus signal: min(OD red, OD green) — a nucleus (purple, dark) absorbs both; red cells (pink) and
/// eosinophil granules (orange) absorb green but pass red; the background absorbs neither. Otsu's threshold on it,
/// never below <see cref="MinNucleusDensity"/>, gives the nucleus mask.</item>
/// <item>Blobs (8-connected) count when they are solid (a third of their pixels are interior: noise and thin
/// strokes are not) and not tiny; blobs closer than a third of the larger one's extent are merged (a neutrophil's
/// lobes). Each group is a candidate, scored by its area weighted by closeness to the image centre.</item>
/// <item>Scale: the isolated red cells (stained in green, not nucleus, round, not touching the border) give the
/// red-cell diameter, the same 7–8 µm in every lab; the frame's side is a fixed number of red-cell diameters
/// (so every lab's cell keeps its true relative size), or, with fewer than <see cref="MinRedCells"/> red cells
/// (tight crops), a multiple of the nucleus extent.</item>
/// </list>
/// </summary>
public static class CellLocator
{
    /// <summary>Largest side of the averaged-down image the locator analyses.</summary>
    public const int AnalysisSide = 160;

    /// <summary>Lowest nucleus threshold (optical density): below it nothing counts as a nucleus (blank images).</summary>
    public const double MinNucleusDensity = 0.18;

    /// <summary>Fewest isolated red cells for the red-cell scale.</summary>
    public const int MinRedCells = 3;

    /// <summary>Share of a blob's pixels that must be interior (all four neighbours inside) for it to count.</summary>
    public const double MinSolidity = 0.3;

    /// <summary>Smallest nucleus area, as a share of the largest nucleus in the image, that counts as another white cell.</summary>
    public const double MinCellShare = 0.25;

    /// <summary>Smallest nucleus extent, as a share of the red-cell diameter, that counts as another white cell (the default of the "not a cell" size rule, <see cref="Inference.DecisionRule.MinNucleusRedCells"/>: a smaller one would be refused anyway).</summary>
    public const double MinRedCellShare = 0.7;

    /// <summary>
    /// Locates the cell and frames it: the side is <paramref name="redCells"/> red-cell diameters when at least
    /// <see cref="MinRedCells"/> red cells are measured and <paramref name="redCells"/> &gt; 0, otherwise
    /// <paramref name="nucleusFactor"/> × the nucleus extent; never smaller than 1.15 × the nucleus extent.
    /// Without a cell the frame is the image's bounding square.
    /// </summary>
    public static CellLocation Locate(Rgb8Image image, double nucleusFactor = 2.4, double redCells = 0) =>
        LocateAll(image, nucleusFactor, redCells, oneCell: true)[0];

    /// <summary>
    /// Every white cell of an image, each framed by the rule of <see cref="Locate"/>: first the one <see cref="Locate"/>
    /// frames, then each other nucleus that is a white cell of its own (<see cref="IsSeparateCell"/>), best scored
    /// first. A single-cell crop gives one location; a microscope field with several white cells gives one each; an
    /// image without a nucleus gives the one "no cell" location of <see cref="Locate"/>.
    /// </summary>
    /// <param name="image">The decoded image.</param>
    /// <param name="nucleusFactor">Frame side in nucleus extents (without red-cell scale).</param>
    /// <param name="redCells">Frame side in red-cell diameters (0: the nucleus rule).</param>
    /// <param name="oneCell">Only the first location (what <see cref="Locate"/> returns).</param>
    public static IReadOnlyList<CellLocation> LocateAll(Rgb8Image image, double nucleusFactor = 2.4, double redCells = 0, bool oneCell = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        var a = Analysis.From(image);
        float[] bg = Background(a);
        int n = a.Width * a.Height;
        var nucleusSignal = new float[n];
        var greenDensity = new float[n];
        for (int i = 0; i < n; i++)
        {
            float odR = Density(a.R[i], bg[0]), odG = Density(a.G[i], bg[1]);
            nucleusSignal[i] = Math.Min(odR, odG);
            greenDensity[i] = odG;
        }
        double t = Math.Max(Otsu(nucleusSignal), MinNucleusDensity);
        var mask = new bool[n];
        for (int i = 0; i < n; i++) mask[i] = nucleusSignal[i] > t;
        List<Blob> blobs = Components(mask, a.Width, a.Height);
        int minArea = Math.Max(6, n / 4000);
        blobs = blobs.Where(b => b.Area >= minArea && b.Interior >= MinSolidity * b.Area).ToList();
        List<Blob> groups = MergeLobes(blobs);
        double cx0 = a.Width / 2.0, cy0 = a.Height / 2.0, r0 = Math.Min(a.Width, a.Height) / 2.0;
        double f = a.Factor;
        var scored = groups.Select(g =>
        {
            double dx = (g.X0 + g.X1 + 1) / 2.0 - cx0, dy = (g.Y0 + g.Y1 + 1) / 2.0 - cy0;
            double weight = 1 / (1 + (dx * dx + dy * dy) / (r0 * r0));
            return (Group: g, Score: g.Area * weight);
        }).OrderByDescending(s => s.Score).ToList();
        var candidates = scored.Select(s => new CellCandidate(s.Group.X0 * f, s.Group.Y0 * f, (s.Group.X1 - s.Group.X0 + 1) * f,
            (s.Group.Y1 - s.Group.Y0 + 1) * f, s.Group.Area * f * f, s.Score)).ToArray();
        if (candidates.Length == 0)
        {
            double side = Math.Max(image.Width, image.Height);
            return [new CellLocation(false, [], -1, image.Width / 2.0, image.Height / 2.0, side, "whole", double.NaN, 0, bg, bg)];
        }
        var (diameter, count, redCell) = RedCells(a, greenDensity, mask, scored[0].Group);
        bool useRedCells = redCells > 0 && count >= MinRedCells;
        CellLocation Frame(int i)
        {
            CellCandidate cell = candidates[i];
            double extent = cell.Extent;
            double frame = Math.Max(useRedCells ? redCells * diameter * f : nucleusFactor * extent, 1.15 * extent);
            return new CellLocation(true, candidates, i, cell.CenterX, cell.CenterY, frame, useRedCells ? "red_cells" : "nucleus",
                count > 0 ? diameter * f : double.NaN, count, bg, MeanColour(a, scored[i].Group.Pixels), redCell);
        }
        var cells = new List<CellLocation> { Frame(0) };
        if (oneCell) return cells;
        int largest = scored.Max(s => s.Group.Area);
        for (int i = 1; i < scored.Count; i++)
            if (IsSeparateCell(scored[i].Group.X0, scored[i].Group.Y0, scored[i].Group.X1, scored[i].Group.Y1, scored[i].Group.Area, largest,
                    a.Width, a.Height, count >= MinRedCells ? diameter : double.NaN))
                cells.Add(Frame(i));
        return cells;
    }

    /// <summary>
    /// The rule that makes a nucleus other than the framed one a white cell of its own (in analysis pixels): its box
    /// keeps a pixel off the image border (a cell cut by the border is not counted, as in a manual differential), its
    /// area is at least <see cref="MinCellShare"/> of the largest nucleus (platelets and debris are not), and, where red
    /// cells give the scale, it is at least <see cref="MinRedCellShare"/> of a red cell's diameter across (a platelet is
    /// 2–3 µm, a white cell's nucleus 6 µm or more, a red cell 7–8 µm).
    /// </summary>
    public static bool IsSeparateCell(int x0, int y0, int x1, int y1, int area, int largestArea, int width, int height, double redCellDiameter)
    {
        if (x0 < 1 || y0 < 1 || x1 > width - 2 || y1 > height - 2) return false;
        if (area < MinCellShare * largestArea) return false;
        return double.IsNaN(redCellDiameter) || Math.Max(x1 - x0 + 1, y1 - y0 + 1) >= MinRedCellShare * redCellDiameter;
    }

    /// <summary>
    /// Cuts the square frame of <paramref name="location"/> out of <paramref name="image"/>. Where the frame leaves the
    /// image, it is filled with the image's background colour: a tight crop (the cell fills the image) then shows its
    /// cell on plain background at the size the frame gives it. (Reflecting the image there instead would copy the
    /// cell itself into the frame, several times over for tight crops.)
    /// </summary>
    public static Rgb8Image Crop(Rgb8Image image, CellLocation location)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(location);
        int side = location.SidePixels, left = location.Left, top = location.Top;
        if (left == 0 && top == 0 && side == image.Width && side == image.Height) return image;
        var px = new byte[3 * side * side];
        byte[] fill = location.Background.Select(v => (byte)Math.Clamp(Math.Round(v * 255), 0, 255)).ToArray();
        byte[] src = image.Pixels;
        for (int y = 0; y < side; y++)
        {
            int sy = top + y, o = 3 * y * side;
            for (int x = 0; x < side; x++, o += 3)
            {
                int sx = left + x;
                if (sx < 0 || sy < 0 || sx >= image.Width || sy >= image.Height)
                {
                    px[o] = fill[0]; px[o + 1] = fill[1]; px[o + 2] = fill[2];
                    continue;
                }
                int s = 3 * (sy * image.Width + sx);
                px[o] = src[s]; px[o + 1] = src[s + 1]; px[o + 2] = src[s + 2];
            }
        }
        return new Rgb8Image(side, side, px);
    }

    private static float Density(float v, float background) => -MathF.Log(Math.Clamp(v / background, 1f / 255, 1f));

    /// <summary>Mean colour of the brightest 15 % of pixels (by luminance), at least 0.05 per channel.</summary>
    private static float[] Background(Analysis a)
    {
        int n = a.Width * a.Height;
        var luma = new float[n];
        for (int i = 0; i < n; i++) luma[i] = 0.299f * a.R[i] + 0.587f * a.G[i] + 0.114f * a.B[i];
        var hist = new int[1024];
        foreach (float v in luma) hist[Math.Clamp((int)(v * 1023), 0, 1023)]++;
        int above = 0, bin = 1023;
        while (bin > 0 && above + hist[bin] < 0.15 * n) above += hist[bin--];
        float cut = bin / 1023f;
        double r = 0, g = 0, b = 0;
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            if (luma[i] < cut) continue;
            r += a.R[i]; g += a.G[i]; b += a.B[i];
            count++;
        }
        return [Math.Max(0.05f, (float)(r / count)), Math.Max(0.05f, (float)(g / count)), Math.Max(0.05f, (float)(b / count))];
    }

    private static float[] MeanColour(Analysis a, List<int> pixels)
    {
        double r = 0, g = 0, b = 0;
        foreach (int i in pixels) { r += a.R[i]; g += a.G[i]; b += a.B[i]; }
        int c = Math.Max(1, pixels.Count);
        return [(float)(r / c), (float)(g / c), (float)(b / c)];
    }

    /// <summary>Fewest stained pixels, as a share of the analysed image, outside the white cell for a red-cell colour.</summary>
    public const double MinRedCellPixelShare = 0.01;

    /// <summary>
    /// Median diameter (analysis pixels) of the isolated red cells: blobs stained in green (Otsu on the green optical
    /// density), holes filled, not nucleus, not touching the border nor the framed cell, round (aspect ≤ 1.3, filling
    /// ≥ 60 % of their box), at least 4 pixels across. Returns the count too (0: NaN diameter), and the mean colour of
    /// the stained pixels of every such blob that does not overlap the framed nucleus's box, round or not, cut by the
    /// border or not (red cells, not the white cell's cytoplasm); null with fewer than <see cref="MinRedCellPixelShare"/>
    /// of the image's pixels.
    /// </summary>
    private static (double Diameter, int Count, float[]? Colour) RedCells(Analysis a, float[] greenDensity, bool[] nucleus, Blob cell)
    {
        int w = a.Width, h = a.Height, n = w * h;
        // The threshold between background and red cells: Otsu over the pixels that are not nucleus (with the nucleus
        // in, it would fall between red cells and nuclei).
        float[] notNucleus = greenDensity.Where((_, i) => !nucleus[i]).ToArray();
        double t = Math.Max(notNucleus.Length > 0 ? Otsu(notNucleus) : 0, 0.08);
        var stained = new bool[n];
        for (int i = 0; i < n; i++) stained[i] = greenDensity[i] > t && !nucleus[i];
        bool[] stainedOnly = (bool[])stained.Clone();
        FillHoles(stained, w, h);
        var diameters = new List<double>();
        var redPixels = new List<int>();
        foreach (Blob b in Components(stained, w, h))
        {
            // Not the white cell's own cytoplasm: the blob must not overlap the nucleus's box.
            if (b.X0 <= cell.X1 && b.X1 >= cell.X0 && b.Y0 <= cell.Y1 && b.Y1 >= cell.Y0) continue;
            redPixels.AddRange(b.Pixels.Where(i => stainedOnly[i]));
            if (b.X0 == 0 || b.Y0 == 0 || b.X1 == w - 1 || b.Y1 == h - 1) continue;
            int bw = b.X1 - b.X0 + 1, bh = b.Y1 - b.Y0 + 1;
            if (Math.Min(bw, bh) < 4) continue;
            // A red cell (7–8 µm) is about as wide as a white cell's nucleus: specks and clumps are not red cells.
            if ((bw + bh) / 2.0 < 0.4 * cell.Extent || (bw + bh) / 2.0 > 1.5 * cell.Extent) continue;
            if (Math.Max(bw, bh) > 1.3 * Math.Min(bw, bh)) continue;
            if (b.Area < 0.6 * bw * bh) continue;
            diameters.Add((bw + bh) / 2.0);
        }
        float[]? colour = redPixels.Count >= Math.Max(4, MinRedCellPixelShare * n) ? MeanColour(a, redPixels) : null;
        if (diameters.Count == 0) return (double.NaN, 0, colour);
        diameters.Sort();
        return (diameters[diameters.Count / 2], diameters.Count, colour);
    }

    /// <summary>Sets every background pixel that cannot reach the border through background (4-connected) to inside.</summary>
    public static void FillHoles(bool[] flags, int width, int height)
    {
        var outside = new bool[flags.Length];
        var stack = new Stack<int>();
        void Push(int i)
        {
            if (!flags[i] && !outside[i]) { outside[i] = true; stack.Push(i); }
        }
        for (int x = 0; x < width; x++) { Push(x); Push((height - 1) * width + x); }
        for (int y = 0; y < height; y++) { Push(y * width); Push(y * width + width - 1); }
        while (stack.Count > 0)
        {
            int i = stack.Pop(), x = i % width, y = i / width;
            if (x > 0) Push(i - 1);
            if (x < width - 1) Push(i + 1);
            if (y > 0) Push(i - width);
            if (y < height - 1) Push(i + width);
        }
        for (int i = 0; i < flags.Length; i++) if (!outside[i]) flags[i] = true;
    }

    /// <summary>
    /// Otsu's threshold: the value that maximises the between-class variance of a 256-bin histogram over the values' range.
    /// Values above it form the foreground. For constant input it is that constant (so nothing is foreground).
    /// </summary>
    public static double Otsu(ReadOnlySpan<float> values)
    {
        if (values.Length == 0) throw new ArgumentException("no values to threshold", nameof(values));
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values) { if (v < min) min = v; if (v > max) max = v; }
        if (!(max > min)) return max;
        const int bins = 256;
        var hist = new double[bins];
        double width = (max - min) / (double)bins;
        foreach (float v in values) hist[Math.Min((int)((v - min) / width), bins - 1)]++;
        double total = values.Length, sumAll = 0;
        for (int k = 0; k < bins; k++) sumAll += k * hist[k];
        double wB = 0, sumB = 0, best = -1;
        int bestK = 0, lastBestK = 0;   // a plateau of equal maxima (an empty gap between modes): take its middle
        for (int k = 0; k < bins - 1; k++)
        {
            wB += hist[k];
            if (wB == 0) continue;
            double wF = total - wB;
            if (wF == 0) break;
            sumB += k * hist[k];
            double mB = sumB / wB, mF = (sumAll - sumB) / wF;
            double between = wB * wF * (mB - mF) * (mB - mF);
            if (between > best * (1 + 1e-12)) { best = between; bestK = lastBestK = k; }
            else if (between >= best * (1 - 1e-12)) lastBestK = k;
        }
        return min + ((bestK + lastBestK) / 2.0 + 1) * width;   // upper edge of the (middle) last background bin
    }

    /// <summary>8-connected components of a mask, with their boxes, areas and interior pixel counts.</summary>
    private static List<Blob> Components(bool[] mask, int w, int h)
    {
        var label = new int[mask.Length];
        var blobs = new List<Blob>();
        var stack = new Stack<int>();
        for (int start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || label[start] != 0) continue;
            var blob = new Blob { X0 = int.MaxValue, Y0 = int.MaxValue, X1 = -1, Y1 = -1 };
            int id = blobs.Count + 1;
            label[start] = id;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int i = stack.Pop(), x = i % w, y = i / w;
                blob.Pixels.Add(i);
                blob.X0 = Math.Min(blob.X0, x); blob.X1 = Math.Max(blob.X1, x);
                blob.Y0 = Math.Min(blob.Y0, y); blob.Y1 = Math.Max(blob.Y1, y);
                bool interior = x > 0 && x < w - 1 && y > 0 && y < h - 1 && mask[i - 1] && mask[i + 1] && mask[i - w] && mask[i + w];
                if (interior) blob.Interior++;
                for (int dy = -1; dy <= 1; dy++)
                {
                    int yy = y + dy;
                    if (yy < 0 || yy >= h) continue;
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int xx = x + dx;
                        if (xx < 0 || xx >= w) continue;
                        int j = yy * w + xx;
                        if (mask[j] && label[j] == 0) { label[j] = id; stack.Push(j); }
                    }
                }
            }
            blobs.Add(blob);
        }
        return blobs;
    }

    /// <summary>
    /// Merges blobs into nuclei: blobs smaller than 8 % of the largest are dropped (platelets, debris); two groups whose
    /// boxes are closer than a third of the larger group's extent become one (the lobes of a segmented nucleus).
    /// </summary>
    private static List<Blob> MergeLobes(List<Blob> blobs)
    {
        if (blobs.Count == 0) return blobs;
        int largest = blobs.Max(b => b.Area);
        var groups = blobs.Where(b => b.Area >= 0.08 * largest).OrderByDescending(b => b.Area).ToList();
        bool merged = true;
        while (merged)
        {
            merged = false;
            for (int i = 0; i < groups.Count && !merged; i++)
                for (int j = i + 1; j < groups.Count && !merged; j++)
                {
                    Blob p = groups[i], q = groups[j];
                    int gapX = Math.Max(0, Math.Max(p.X0, q.X0) - Math.Min(p.X1, q.X1) - 1);
                    int gapY = Math.Max(0, Math.Max(p.Y0, q.Y0) - Math.Min(p.Y1, q.Y1) - 1);
                    double extent = Math.Max(p.Extent, q.Extent);
                    if (Math.Max(gapX, gapY) <= extent / 3.0)
                    {
                        p.X0 = Math.Min(p.X0, q.X0); p.Y0 = Math.Min(p.Y0, q.Y0);
                        p.X1 = Math.Max(p.X1, q.X1); p.Y1 = Math.Max(p.Y1, q.Y1);
                        p.Pixels.AddRange(q.Pixels);
                        p.Interior += q.Interior;
                        groups.RemoveAt(j);
                        merged = true;
                    }
                }
        }
        return groups;
    }

    private sealed class Blob
    {
        public int X0, Y0, X1, Y1, Interior;
        public List<int> Pixels { get; } = [];
        public int Area => Pixels.Count;
        public int Extent => Math.Max(X1 - X0 + 1, Y1 - Y0 + 1);
    }

    /// <summary>The image averaged down by an integer factor to at most <see cref="AnalysisSide"/> a side, as planar floats in [0, 1].</summary>
    private sealed class Analysis
    {
        public required int Width, Height;
        public required double Factor;
        public required float[] R, G, B;

        public static Analysis From(Rgb8Image image)
        {
            int f = Math.Max(1, (Math.Max(image.Width, image.Height) + AnalysisSide - 1) / AnalysisSide);
            int w = Math.Max(1, image.Width / f), h = Math.Max(1, image.Height / f);
            int fx = Math.Min(f, image.Width), fy = Math.Min(f, image.Height);
            var r = new float[w * h];
            var g = new float[w * h];
            var b = new float[w * h];
            byte[] px = image.Pixels;
            float scale = 1f / (255f * fx * fy);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int sr = 0, sg = 0, sb = 0;
                    for (int yy = y * fy; yy < (y + 1) * fy; yy++)
                    {
                        int o = 3 * (yy * image.Width + x * fx);
                        for (int xx = 0; xx < fx; xx++, o += 3) { sr += px[o]; sg += px[o + 1]; sb += px[o + 2]; }
                    }
                    int i = y * w + x;
                    r[i] = sr * scale; g[i] = sg * scale; b[i] = sb * scale;
                }
            return new Analysis { Width = w, Height = h, Factor = f, R = r, G = g, B = b };
        }
    }
}
