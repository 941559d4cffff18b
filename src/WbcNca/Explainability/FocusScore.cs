namespace WbcNca.Explainability;

/// <summary>Where one channel looks: the share of its activation inside the cell and whether its pooled maximum lies there.</summary>
/// <param name="Channel">Channel index.</param>
/// <param name="Relevance">The channel's relevance for the explained class.</param>
/// <param name="InsideShare">Share of the channel's activation (its map minus the map's minimum) that falls inside the cell mask, in [0, 1].</param>
/// <param name="PooledInside">True when the channel's maximum — the only value max pooling passes on — lies inside the cell.</param>
public sealed record ChannelFocus(int Channel, double Relevance, double InsideShare, bool PooledInside);

/// <summary>
/// The paper's "where does it look" check for one image: for the most relevant channels, how much of their activation lies
/// on the white cell rather than on the background (red cells, plasma), and whether their maxima (what the head reads) do. <see cref="Score"/> near 1: the model decides on the
/// cell; near <see cref="AreaFraction"/>: no preference; well below it: the model decides on the background.
/// </summary>
/// <param name="Score">Relevance-weighted mean of <see cref="ChannelFocus.InsideShare"/> over the channels with positive relevance (the plain mean when none has).</param>
/// <param name="PooledInsideShare">Relevance-weighted share of those channels whose pooled maximum lies inside the cell.</param>
/// <param name="AreaFraction">Share of the image inside the cell mask (the score of a channel spread evenly).</param>
/// <param name="Channels">Per channel, in ranking order.</param>
public sealed record FocusScore(double Score, double PooledInsideShare, double AreaFraction, IReadOnlyList<ChannelFocus> Channels)
{
    /// <summary>One plain sentence on where the model looked (see <see cref="Describe(double, double, double)"/>).</summary>
    public string Describe() => Describe(Score, PooledInsideShare, AreaFraction);

    /// <summary>
    /// One plain sentence on where the evidence lies. Max pooling passes on only each channel's maximum, so the evidence
    /// of a channel comes from where its maximum lies: when the channels whose maxima lie on the cell carry at least half
    /// of the relevance (<paramref name="pooledInsideShare"/> ≥ 0.5), the evidence is on the cell, wherever else their maps
    /// are active (a framed cell fills much of the image, and maps respond to edges everywhere). Otherwise the
    /// activation decides: less than half of it on the cell and less than an even spread would put there
    /// (<paramref name="score"/> below <paramref name="areaFraction"/>) is "mostly outside the cell", anything between is
    /// "spread". No score or no cell outlined: it cannot be said.
    /// </summary>
    public static string Describe(double score, double pooledInsideShare, double areaFraction)
    {
        if (double.IsNaN(score) || !(areaFraction > 0))
            return "Where the model looked cannot be said: no cell could be outlined in the image.";
        if (pooledInsideShare >= 0.5) return "Most of the evidence lies on the cell.";
        if (EvidenceOffCell(score, pooledInsideShare, areaFraction)) return "The evidence lies mostly outside the cell: check the image.";
        return "The evidence is spread over the cell and its surroundings.";
    }

    /// <summary>
    /// True when the evidence lies mostly outside the cell (the rule of <see cref="Describe(double, double, double)"/>):
    /// the channels whose maxima lie on the cell carry less than half of the relevance, and less than half of the
    /// activation, and less than an even spread, lies on the cell.
    /// </summary>
    public static bool EvidenceOffCell(double score, double pooledInsideShare, double areaFraction) =>
        !double.IsNaN(score) && areaFraction > 0 && !(pooledInsideShare >= 0.5) && score < 0.5 && score < areaFraction;

    /// <summary>
    /// Share of a map's activation inside the mask: Σ_inside (a − min a) / Σ_all (a − min a). A constant map (no activation
    /// anywhere above its minimum) counts as spread evenly, i.e. the mask's area fraction.
    /// </summary>
    public static double InsideShare(ReadOnlySpan<float> map, CellMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (map.Length != mask.Size * mask.Size) throw new ArgumentException($"map has {map.Length} values, mask {mask.Size}×{mask.Size}");
        float min = float.PositiveInfinity;
        foreach (float v in map) if (v < min) min = v;
        double inside = 0, all = 0;
        for (int i = 0; i < map.Length; i++)
        {
            double w = map[i] - min;
            all += w;
            if (mask.IsInside(i)) inside += w;
        }
        return all > 0 ? inside / all : mask.AreaFraction;
    }

    /// <summary>Scores <paramref name="channels"/> (e.g. the top channels by relevance) of <paramref name="maps"/> against <paramref name="mask"/>.</summary>
    public static FocusScore Compute(ChannelMaps maps, ChannelRelevance relevance, IReadOnlyList<int> channels, CellMask mask)
    {
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(relevance);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Size != maps.Size) throw new ArgumentException($"mask is {mask.Size}×{mask.Size} but the maps are {maps.Size}×{maps.Size}");
        var list = new List<ChannelFocus>(channels.Count);
        foreach (int c in channels)
        {
            var (x, y) = maps.PooledLocation[c];
            list.Add(new ChannelFocus(c, relevance.Relevance[c], InsideShare(maps.Map(c), mask), mask[x, y]));
        }
        return FromChannels(list, mask.AreaFraction);
    }

    /// <summary>Combines per-channel results: weights are the positive relevances (equal weights when none is positive).</summary>
    public static FocusScore FromChannels(IReadOnlyList<ChannelFocus> channels, double areaFraction)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0) return new FocusScore(double.NaN, double.NaN, areaFraction, channels);
        double total = channels.Sum(c => Math.Max(c.Relevance, 0));
        Func<ChannelFocus, double> weight = total > 0 ? c => Math.Max(c.Relevance, 0) / total : _ => 1.0 / channels.Count;
        double score = channels.Sum(c => weight(c) * c.InsideShare);
        double pooled = channels.Sum(c => c.PooledInside ? weight(c) : 0);
        return new FocusScore(score, pooled, areaFraction, channels);
    }
}
