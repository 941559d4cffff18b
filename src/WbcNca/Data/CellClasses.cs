namespace WbcNca.Data;

/// <summary>
/// The class taxonomy: the paper's 13 harmonised fine classes in index order, and a coarse level of five main
/// white blood cell types plus "other" for evaluating on data sets that name only the main types. Every fine class
/// maps to exactly one coarse class (neutrophil = banded or segmented, lymphocyte = typical or atypical, the
/// erythroblast, the immature granulocytes and smudge cells = other). Name lookups are case-insensitive.
/// </summary>
public static class CellClasses
{
    /// <summary>The 13 harmonised classes of the paper, in its index order.</summary>
    public static IReadOnlyList<string> Fine { get; } =
    [
        "basophil", "eosinophil", "erythroblast", "myeloblast", "promyelocyte", "myelocyte", "metamyelocyte",
        "neutrophil_banded", "neutrophil_segmented", "monocyte", "lymphocyte_typical", "lymphocyte_atypical", "smudge_cell",
    ];

    /// <summary>The coarse classes: the five main white blood cell types and "other".</summary>
    public static IReadOnlyList<string> Coarse { get; } = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil", "other"];

    /// <summary>The five main white blood cell types: the coarse classes without "other", in coarse index order.</summary>
    public static IReadOnlyList<string> MainTypes { get; } = Coarse.Take(CoarseOther).ToArray();

    /// <summary>Number of fine classes (13).</summary>
    public const int FineCount = 13;

    /// <summary>Number of coarse classes (6).</summary>
    public const int CoarseCount = 6;

    /// <summary>Index of the coarse class "other" (cells that are none of the five main types).</summary>
    public const int CoarseOther = 5;

    // Coarse index of each fine class, in fine index order.
    private static readonly int[] FineToCoarseMap = [0, 1, 5, 5, 5, 5, 5, 4, 4, 3, 2, 2, 5];

    /// <summary>The coarse class of each fine class, indexed by fine class.</summary>
    public static IReadOnlyList<int> FineToCoarse { get; } = Array.AsReadOnly(FineToCoarseMap);

    /// <summary>The class names of a level, in index order.</summary>
    public static IReadOnlyList<string> Names(LabelLevel level) => level switch
    {
        LabelLevel.Fine => Fine,
        LabelLevel.Coarse => Coarse,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "unknown label level"),
    };

    /// <summary>Number of classes of a level.</summary>
    public static int Count(LabelLevel level) => Names(level).Count;

    /// <summary>Name of class <paramref name="index"/> of a level.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a class of that level.</exception>
    public static string Name(int index, LabelLevel level)
    {
        IReadOnlyList<string> names = Names(level);
        if ((uint)index >= (uint)names.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"not a {LevelName(level)} class index (0..{names.Count - 1})");
        return names[index];
    }

    /// <summary>Finds a class by name (case-insensitive, surrounding blanks ignored).</summary>
    /// <returns>True and its index when <paramref name="name"/> is a class of the level.</returns>
    public static bool TryIndexOf(string name, LabelLevel level, out int index)
    {
        IReadOnlyList<string> names = Names(level);
        string trimmed = name.Trim();
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], trimmed, StringComparison.OrdinalIgnoreCase))
            {
                index = i;
                return true;
            }
        }
        index = -1;
        return false;
    }

    /// <summary>Index of a class by name (case-insensitive).</summary>
    /// <exception cref="WbcNcaException">The name is not a class of the level; the message lists the valid names.</exception>
    public static int IndexOf(string name, LabelLevel level) =>
        TryIndexOf(name, level, out int index)
            ? index
            : throw new WbcNcaException($"unknown {LevelName(level)} class '{name}'; expected one of: {string.Join(", ", Names(level))}");

    /// <summary>The coarse class of fine class <paramref name="fineIndex"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a fine class index.</exception>
    public static int CoarseOf(int fineIndex)
    {
        if ((uint)fineIndex >= FineCount)
            throw new ArgumentOutOfRangeException(nameof(fineIndex), fineIndex, $"not a fine class index (0..{FineCount - 1})");
        return FineToCoarseMap[fineIndex];
    }

    /// <summary>
    /// Converts a label between levels: fine to coarse by <see cref="CoarseOf"/>; the same level unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">Coarse to fine (a coarse class does not tell which fine class it is).</exception>
    public static int Convert(int label, LabelLevel from, LabelLevel to)
    {
        if (from == to)
        {
            _ = Name(label, from);
            return label;
        }
        if (from == LabelLevel.Fine && to == LabelLevel.Coarse) return CoarseOf(label);
        throw new ArgumentException("a coarse label cannot be converted to a fine label", nameof(to));
    }

    /// <summary>
    /// Which coarse class each fine class belongs to as a 0/1 matrix (coarse rows, fine columns, row-major): the map that
    /// sums fine probabilities into coarse ones.
    /// </summary>
    public static float[] Membership()
    {
        var m = new float[CoarseCount * FineCount];
        for (int f = 0; f < FineCount; f++) m[FineToCoarseMap[f] * FineCount + f] = 1;
        return m;
    }

    /// <summary>The fine classes that map onto coarse class <paramref name="coarseIndex"/>, in index order.</summary>
    public static IReadOnlyList<int> FineClassesOf(int coarseIndex)
    {
        _ = Name(coarseIndex, LabelLevel.Coarse);
        return Enumerable.Range(0, FineCount).Where(f => FineToCoarseMap[f] == coarseIndex).ToArray();
    }

    /// <summary>"fine" or "coarse".</summary>
    public static string LevelName(LabelLevel level) => level == LabelLevel.Fine ? "fine" : "coarse";
}
