namespace WbcNca.Evaluation;

/// <summary>A confusion matrix: <c>Counts[t][p]</c> = number of items of true class t predicted as class p.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] counts;

    /// <summary>An empty matrix over <paramref name="classNames"/>.</summary>
    public ConfusionMatrix(IReadOnlyList<string> classNames)
    {
        ClassNames = classNames;
        counts = new long[classNames.Count, classNames.Count];
    }

    /// <summary>A matrix counted from true and predicted labels.</summary>
    public static ConfusionMatrix From(IReadOnlyList<string> classNames, IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException($"{truth.Count} true labels but {predicted.Count} predictions");
        var m = new ConfusionMatrix(classNames);
        for (int i = 0; i < truth.Count; i++) m.Add(truth[i], predicted[i]);
        return m;
    }

    /// <summary>Class names, in index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of classes.</summary>
    public int Size => ClassNames.Count;

    /// <summary>Count of true class <paramref name="t"/> predicted as <paramref name="p"/>.</summary>
    public long this[int t, int p] => counts[t, p];

    /// <summary>Counts one item.</summary>
    public void Add(int truth, int predicted)
    {
        if ((uint)truth >= (uint)Size || (uint)predicted >= (uint)Size)
            throw new ArgumentOutOfRangeException(nameof(truth), $"label {truth} or prediction {predicted} is not in 0..{Size - 1}");
        counts[truth, predicted]++;
    }

    /// <summary>Total number of items.</summary>
    public long Total { get { long s = 0; foreach (long c in counts) s += c; return s; } }

    /// <summary>Items of true class <paramref name="t"/> (support).</summary>
    public long Support(int t) { long s = 0; for (int p = 0; p < Size; p++) s += counts[t, p]; return s; }

    /// <summary>Items predicted as class <paramref name="p"/>.</summary>
    public long Predicted(int p) { long s = 0; for (int t = 0; t < Size; t++) s += counts[t, p]; return s; }

    /// <summary>The matrix as rows (true class) of columns (predicted class).</summary>
    public long[][] ToRows() => Enumerable.Range(0, Size).Select(t => Enumerable.Range(0, Size).Select(p => counts[t, p]).ToArray()).ToArray();
}
