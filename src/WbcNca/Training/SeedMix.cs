using WbcNca.Runtime;
namespace WbcNca.Training;

/// <summary>
/// Derives independent 64-bit seeds from the run's seed and a path of integers (epoch, batch, purpose) with the
/// SplitMix64 finaliser. Every random choice of a training run (sampling, augmentation, update masks) takes its
/// generator from such a derived seed, so an epoch is reproducible on its own and a resumed run continues exactly
/// as an uninterrupted one would, without saving generator states.
/// </summary>
public static class SeedMix
{
    /// <summary>Purpose tag of the per-epoch sampler stream.</summary>
    public const long Sampler = 1;

    /// <summary>Purpose tag of the per-batch augmentation stream.</summary>
    public const long Augment = 2;

    /// <summary>Purpose tag of the per-batch update-mask stream.</summary>
    public const long Masks = 3;

    /// <summary>Mixes <paramref name="seed"/> with each of <paramref name="path"/> in turn.</summary>
    public static long Derive(long seed, params long[] path)
    {
        ulong z = Mix(unchecked((ulong)seed));
        foreach (long p in path) z = Mix(z ^ Mix(unchecked((ulong)p + 0x632BE59BD9B4E019UL)));
        return unchecked((long)z);
    }

    private static ulong Mix(ulong z)
    {
        z = unchecked(z + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
