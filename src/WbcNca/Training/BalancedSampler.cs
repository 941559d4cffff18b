using WbcNca.Runtime;
namespace WbcNca.Training;

/// <summary>
/// Class-balanced sampling per epoch: every class present in the training labels gets the same number of draws,
/// <c>ceil(epochSize / classes)</c>. A class with fewer images is over-sampled (all of its images, shuffled, repeated
/// as often as needed, the last round a random part), a class with more is under-sampled (a random part of its
/// images, different each epoch). The epoch's list is shuffled. All choices come from one seeded generator, so an
/// epoch's list is fixed by (seed, epoch).
/// </summary>
public sealed class BalancedSampler
{
    private readonly int[][] byClass;

    /// <summary>Creates a sampler over items with the given labels (indices into <paramref name="labels"/> are returned).</summary>
    /// <param name="labels">Label of each item.</param>
    /// <param name="epochSize">Draws per epoch (rounded up to a multiple of the number of classes present).</param>
    public BalancedSampler(IReadOnlyList<int> labels, int epochSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochSize);
        if (labels.Count == 0) throw new ArgumentException("no training items", nameof(labels));
        byClass = labels.Select((label, index) => (label, index)).GroupBy(t => t.label).OrderBy(g => g.Key)
                        .Select(g => g.Select(t => t.index).ToArray()).ToArray();
        Classes = labels.Distinct().Order().ToArray();
        PerClass = (epochSize + byClass.Length - 1) / byClass.Length;
    }

    /// <summary>The labels present, ascending.</summary>
    public IReadOnlyList<int> Classes { get; }

    /// <summary>Draws of each class per epoch.</summary>
    public int PerClass { get; }

    /// <summary>Total draws per epoch.</summary>
    public int EpochSize => PerClass * byClass.Length;

    /// <summary>The item indices of one epoch, shuffled, from a generator seeded by <paramref name="seed"/>.</summary>
    public int[] Epoch(long seed)
    {
        var rng = new SplitMix64(seed);
        var result = new List<int>(EpochSize);
        foreach (int[] members in byClass)
        {
            int left = PerClass;
            while (left > 0)
            {
                int[] round = (int[])members.Clone();
                rng.Shuffle(round);
                int take = Math.Min(left, round.Length);
                result.AddRange(round.AsSpan(0, take).ToArray());
                left -= take;
            }
        }
        rng.Shuffle(result);
        return result.ToArray();
    }
}
