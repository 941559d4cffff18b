namespace WbcNca.Imaging;

/// <summary>
/// Colour normalisation by semantic anchors (<see cref="ColorMode.Anchors"/>): per channel c, the affine map
/// v ↦ ref_bg[c] + (v − bg[c]) · (ref_bg[c] − ref_nucleus[c]) / (bg[c] − nucleus[c]) sends this image's background
/// and nucleus colours (measured by <see cref="CellLocator"/>) to the reference ones, clamped to [0, 1]. A channel in
/// which nucleus and background differ by less than <see cref="MinContrast"/> (or an image without a found nucleus)
/// is only white-balanced: v ↦ v · ref_bg[c] / bg[c].
/// </summary>
public static class ColorAnchors
{
    /// <summary>Smallest background − nucleus difference (in [0, 1]) for which a channel is stretched.</summary>
    public const float MinContrast = 0.05f;

    /// <summary>Maps planar RGB in [0, 1] (C×H×W) in place.</summary>
    public static void Apply(Span<float> chw, CellLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        int plane = chw.Length / 3;
        for (int c = 0; c < 3; c++)
        {
            var (scale, offset) = Channel(c, location);
            Span<float> p = chw.Slice(c * plane, plane);
            for (int i = 0; i < p.Length; i++) p[i] = Math.Clamp(p[i] * scale + offset, 0f, 1f);
        }
    }

    /// <summary>The map of channel <paramref name="c"/> as v ↦ v · scale + offset.</summary>
    public static (float Scale, float Offset) Channel(int c, CellLocation location)
    {
        float bg = location.Background[c], nucleus = location.Nucleus[c];
        float refBg = Preprocessing.ReferenceBackground[c], refNucleus = Preprocessing.ReferenceNucleus[c];
        if (location.CellFound && bg - nucleus >= MinContrast)
        {
            float scale = (refBg - refNucleus) / (bg - nucleus);
            return (scale, refBg - bg * scale);
        }
        return (refBg / Math.Max(bg, 0.05f), 0f);
    }
}
