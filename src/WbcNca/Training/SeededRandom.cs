namespace WbcNca.Training;

/// <summary>
/// A small SplitMix64 generator for index choices (sampling, subsets): unlike <see cref="System.Random"/> its seeded
/// sequence is fixed by this code, so runs repeat on every runtime.
/// </summary>
public sealed class SeededRandom(long seed)
{
    private ulong state = unchecked((ulong)seed);

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = state = unchecked(state + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, <paramref name="n"/>) without modulo bias.</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ulong bound = (ulong)n, limit = ulong.MaxValue - (ulong.MaxValue % bound), r;
        do r = Next(); while (r >= limit);
        return (int)(r % bound);
    }

    /// <summary>Shuffles <paramref name="list"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(IList<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
