using System.Globalization;
using WbcNca.Data;

namespace WbcNca.Training;

/// <summary>
/// The expected shares of the five main types (basophil, eosinophil, lymphocyte, monocyte, neutrophil) among a lab's cells:
/// what <see cref="LabColourFit"/> spreads the model's mean answer towards. <see cref="Even"/> assumes nothing;
/// <see cref="Blood"/> is a healthy adult's differential count (neutrophils 60 %, lymphocytes 30 %, monocytes 6 %,
/// eosinophils 3 %, basophils 1 %: near the middle of the usual reference ranges 40–70, 20–40, 2–8, 1–4 and 0.5–1 %).
/// </summary>
/// <param name="Name">How it is written (even, blood, or the shares as type=percent pairs).</param>
/// <param name="Shares">One share per main type, in <see cref="CellClasses.Coarse"/> order, each &gt; 0, summing to 1.</param>
public sealed record TypeMix(string Name, IReadOnlyList<double> Shares)
{
    /// <summary>Every main type equally likely.</summary>
    public static TypeMix Even { get; } = new("even", Enumerable.Repeat(1.0 / CellClasses.CoarseOther, CellClasses.CoarseOther).ToArray());

    /// <summary>A healthy adult's differential count.</summary>
    public static TypeMix Blood { get; } = new("blood", [0.01, 0.03, 0.30, 0.06, 0.60]);

    /// <summary>The names <see cref="Parse"/> accepts besides type=percent pairs.</summary>
    public static IReadOnlyList<string> Named { get; } = [Even.Name, Blood.Name];

    /// <summary>
    /// "even", "blood", or the five main types with their percent (or any positive weights), e.g.
    /// "neutrophil=55,lymphocyte=30,monocyte=8,eosinophil=5,basophil=2"; normalised to sum 1.
    /// </summary>
    /// <exception cref="WbcNcaException">Anything else, a type left out, named twice or unknown, or a weight not &gt; 0.</exception>
    public static TypeMix Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Equals(Even.Name, StringComparison.OrdinalIgnoreCase)) return Even;
        if (t.Equals(Blood.Name, StringComparison.OrdinalIgnoreCase)) return Blood;
        var weights = new double[CellClasses.CoarseOther];
        foreach (string pair in t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !CellClasses.TryIndexOf(kv[0], LabelLevel.Coarse, out int type) || type == CellClasses.CoarseOther)
                throw new WbcNcaException($"'{pair}' is not a main type with its share (expected {string.Join(", ", Named)} or type=percent for each of {string.Join(", ", CellClasses.MainTypes)})");
            if (!double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double w) || !(w > 0) || double.IsInfinity(w))
                throw new WbcNcaException($"the share of {kv[0]} must be a number > 0 (got {kv[1]})");
            if (weights[type] > 0) throw new WbcNcaException($"{kv[0]} is given twice");
            weights[type] = w;
        }
        if (weights.Any(w => w == 0))
            throw new WbcNcaException($"every main type needs a share > 0; missing: {string.Join(", ", Enumerable.Range(0, CellClasses.CoarseOther).Where(c => weights[c] == 0).Select(c => CellClasses.Coarse[c]))}");
        double sum = weights.Sum();
        double[] shares = weights.Select(w => w / sum).ToArray();
        return new TypeMix(string.Join(",", Enumerable.Range(0, CellClasses.CoarseOther).Select(c => string.Create(CultureInfo.InvariantCulture, $"{CellClasses.Coarse[c]}={shares[c] * 100:0.#}"))), shares);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
