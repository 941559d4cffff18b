namespace WbcNca.Runtime;

/// <summary>
/// The SplitMix64 generator (Steele, Lea and Flood 2014; the seeding generator of xoshiro): a 64-bit state advanced
/// by 0x9E3779B97F4A7C15 and mixed by two multiply-xorshift rounds. Used for splits instead of
/// <see cref="System.Random"/>, whose seeded sequence .NET does not promise to keep across versions, for every index
/// choice driven by a seed (splits, sampling, subsets), so that runs repeat on every runtime and platform.
/// </summary>
public sealed class SplitMix64(long seed)
{
    private ulong _state = unchecked((ulong)seed);

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, <paramref name="n"/>) (rejection sampling, no modulo bias).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ulong bound = (ulong)n;
        ulong limit = ulong.MaxValue - (ulong.MaxValue % bound);
        ulong r;
        do r = Next(); while (r >= limit);
        return (int)(r % bound);
    }

    /// <summary>Shuffles <paramref name="list"/> in place (Fisher–Yates, from the end).</summary>
    public void Shuffle<T>(IList<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
