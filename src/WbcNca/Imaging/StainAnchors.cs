namespace WbcNca.Imaging;

/// <summary>
/// Colour normalisation by three semantic anchors in optical density (<see cref="ColorMode.Stains"/>). A Romanowsky
/// stain colours a smear with two dyes: the nucleus is mostly the basic dye (purple), a red cell only the acidic one,
/// eosin (pink; eosinophil granules take the same dye), and the background neither. In optical density
/// OD_c = −ln(v_c / background_c) colours add, so a pixel is a mix of the nucleus's and the red cell's OD vectors (and a
/// residual along their cross product). The map sends this image's mix to the same mix of the reference lab's vectors
/// (Acevedo-20's: <see cref="Preprocessing.ReferenceNucleus"/>, <see cref="Preprocessing.ReferenceRedCell"/> on
/// <see cref="Preprocessing.ReferenceBackground"/>): OD′ = M_ref · M⁻¹ · OD with M = [nucleus, red cell, residual],
/// then v′_c = reference_background_c · exp(−OD′_c), clamped to [0, 1]. (A density may be negative in one channel: a
/// blue-violet nucleus can pass more blue than a greyish background.) The background, the nucleus and the red cells
/// land exactly on the reference colours, and a cytoplasm keeps how much of each dye it took <i>relative to this
/// lab's nucleus and red cells</i> — what tells a neutrophil's lilac cytoplasm from an eosinophil's granules — while
/// per-channel maps (<see cref="ColorAnchors"/>) change the hue of every colour in between.
/// An image without a usable red-cell colour of its own (none measured, too pale, or nearly parallel to the nucleus's
/// OD vector: less than <see cref="MinSine"/> apart) takes its lab's typical red-cell colour where one is known
/// (<see cref="Preprocessing.LabRedCell"/>, measured by <c>wbc-nca stats</c> over the lab's unlabelled images), and
/// otherwise gets the per-channel map of <see cref="ColorAnchors"/>.
/// </summary>
public static class StainAnchors
{
    /// <summary>Smallest sine of the angle between the nucleus and red-cell OD vectors for the three-anchor map.</summary>
    public const double MinSine = 0.15;

    /// <summary>Smallest length of the nucleus's OD vector (a nucleus barely darker than the background is no anchor).</summary>
    public const double MinDensity = 0.05;

    /// <summary>
    /// Smallest length of the red cells' OD vector: half of Acevedo-20's (0.44). Paler red cells (a rapid stain that
    /// leaves them nearly unstained, or a measurement that took in background) give too unsure a dye direction.
    /// </summary>
    public const double MinRedCellDensity = 0.2;

    /// <summary>Maps planar RGB in [0, 1] (C×H×W) in place.</summary>
    /// <param name="chw">The image.</param>
    /// <param name="location">Where the cell is, with this image's anchor colours.</param>
    /// <param name="labRedCell">The lab's typical red-cell colour, for an image without a usable one (null: none known).</param>
    public static void Apply(Span<float> chw, CellLocation location, IReadOnlyList<float>? labRedCell = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        double[,]? map = Map(location, labRedCell);
        if (map is null)
        {
            ColorAnchors.Apply(chw, location);
            return;
        }
        int plane = chw.Length / 3;
        float b0 = location.Background[0], b1 = location.Background[1], b2 = location.Background[2];
        float r0 = Preprocessing.ReferenceBackground[0], r1 = Preprocessing.ReferenceBackground[1], r2 = Preprocessing.ReferenceBackground[2];
        Span<float> red = chw[..plane], green = chw.Slice(plane, plane), blue = chw.Slice(2 * plane, plane);
        for (int i = 0; i < plane; i++)
        {
            double o0 = Density(red[i], b0), o1 = Density(green[i], b1), o2 = Density(blue[i], b2);
            red[i] = Light(r0, map[0, 0] * o0 + map[0, 1] * o1 + map[0, 2] * o2);
            green[i] = Light(r1, map[1, 0] * o0 + map[1, 1] * o1 + map[1, 2] * o2);
            blue[i] = Light(r2, map[2, 0] * o0 + map[2, 1] * o1 + map[2, 2] * o2);
        }
    }

    /// <summary>
    /// The 3×3 map OD′ = map · OD of <paramref name="location"/>, or null when neither the image nor
    /// <paramref name="labRedCell"/> gives a usable red-cell anchor (then <see cref="Apply"/> falls back to <see cref="ColorAnchors"/>).
    /// </summary>
    public static double[,]? Map(CellLocation location, IReadOnlyList<float>? labRedCell = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (!location.CellFound) return null;
        double[]? m = location.RedCell is null ? null : Basis(location.Background, location.Nucleus, location.RedCell);
        if (m is null && labRedCell is not null) m = Basis(location.Background, location.Nucleus, labRedCell);
        if (m is null) return null;
        double[] reference = ReferenceBasis;
        double[]? inverse = Invert(m);
        if (inverse is null) return null;
        var map = new double[3, 3];
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
            {
                double s = 0;
                for (int k = 0; k < 3; k++) s += reference[3 * r + k] * inverse[3 * k + c];
                map[r, c] = s;
            }
        return map;
    }

    // Acevedo-20's basis, the same for every image.
    private static readonly double[] ReferenceBasis = Basis(Preprocessing.ReferenceBackground, Preprocessing.ReferenceNucleus, Preprocessing.ReferenceRedCell)
        ?? throw new InvalidOperationException("the reference anchors give no stain basis");

    private static double Density(float v, float background) => -Math.Log(Math.Clamp(v, 1f / 255, 1f) / background);

    private static float Light(float background, double density) => (float)Math.Clamp(background * Math.Exp(-density), 0, 1);

    // Row-major 3×3 matrix whose columns are the nucleus's OD, the red cell's OD and their cross product scaled to the
    // mean of their lengths; null when an anchor is too faint or the two are nearly parallel.
    private static double[]? Basis(IReadOnlyList<float> background, IReadOnlyList<float> nucleus, IReadOnlyList<float> redCell)
    {
        var h = new double[3];
        var e = new double[3];
        for (int c = 0; c < 3; c++)
        {
            h[c] = Density(nucleus[c], background[c]);
            e[c] = Density(redCell[c], background[c]);
        }
        double lh = Length(h), le = Length(e);
        if (lh < MinDensity || le < MinRedCellDensity) return null;
        double[] x = [h[1] * e[2] - h[2] * e[1], h[2] * e[0] - h[0] * e[2], h[0] * e[1] - h[1] * e[0]];
        double lx = Length(x);
        if (lx / (lh * le) < MinSine) return null;
        double scale = (lh + le) / 2 / lx;
        return [h[0], e[0], x[0] * scale, h[1], e[1], x[1] * scale, h[2], e[2], x[2] * scale];
    }

    private static double Length(double[] v) => Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);

    private static double[]? Invert(double[] m)
    {
        double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
        double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        if (Math.Abs(det) < 1e-12) return null;
        double s = 1 / det;
        return
        [
            (e * i - f * h) * s, (c * h - b * i) * s, (b * f - c * e) * s,
            (f * g - d * i) * s, (a * i - c * g) * s, (c * d - a * f) * s,
            (d * h - e * g) * s, (b * g - a * h) * s, (a * e - b * d) * s,
        ];
    }
}
