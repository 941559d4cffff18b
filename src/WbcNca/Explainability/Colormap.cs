namespace WbcNca.Explainability;

/// <summary>Colour maps for channel maps: perceptually ordered sequential scales, as piecewise-linear interpolation between anchors.</summary>
public sealed class Colormap
{
    private readonly (byte R, byte G, byte B)[] anchors;

    private Colormap(string name, (byte, byte, byte)[] anchors)
    {
        Name = name;
        this.anchors = anchors;
    }

    /// <summary>Name of the map.</summary>
    public string Name { get; }

    /// <summary>Viridis (dark blue → green → yellow), for the channel maps.</summary>
    public static Colormap Viridis { get; } = new("viridis",
    [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
    ]);

    /// <summary>Inferno (black → red → yellow), for overlays on the cell image.</summary>
    public static Colormap Inferno { get; } = new("inferno",
    [
        (0, 0, 4), (27, 12, 65), (74, 12, 107), (120, 28, 109), (165, 44, 96),
        (207, 68, 70), (237, 105, 37), (251, 155, 6), (247, 209, 61), (252, 255, 164),
    ]);

    /// <summary>The colour of <paramref name="t"/> in [0, 1] (clamped; NaN maps to 0).</summary>
    public (byte R, byte G, byte B) At(double t)
    {
        if (double.IsNaN(t) || t < 0) t = 0;
        if (t > 1) t = 1;
        double pos = t * (anchors.Length - 1);
        int i = Math.Min((int)pos, anchors.Length - 2);
        double f = pos - i;
        var (r0, g0, b0) = anchors[i];
        var (r1, g1, b1) = anchors[i + 1];
        return ((byte)Math.Round(r0 + f * (r1 - r0)), (byte)Math.Round(g0 + f * (g1 - g0)), (byte)Math.Round(b0 + f * (b1 - b0)));
    }
}
