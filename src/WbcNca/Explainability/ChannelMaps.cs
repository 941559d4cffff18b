using TorchSharp;
using static TorchSharp.torch;

namespace WbcNca.Explainability;

/// <summary>
/// The NCA's channels as images for one input: every channel's S×S map after the last step, the pooled value
/// (its maximum over the image, paper eq. 5) and where that maximum sits, and optionally the maps at earlier steps
/// (the channel's evolution). Maps are stored channel-major, rows top to bottom, in the input image's orientation.
/// </summary>
public sealed class ChannelMaps
{
    private readonly float[] final;
    private readonly float[][] snapshots;

    private ChannelMaps(int size, int channels, float[] final, int[] steps, float[][] snapshots)
    {
        Size = size;
        Channels = channels;
        this.final = final;
        this.snapshots = snapshots;
        Steps = steps;
        Pooled = new float[channels];
        PooledLocation = new (int X, int Y)[channels];
        int plane = size * size;
        for (int c = 0; c < channels; c++)
        {
            int best = 0;
            var map = final.AsSpan(c * plane, plane);
            for (int i = 1; i < plane; i++) if (map[i] > map[best]) best = i;   // first maximum, as amax's value
            Pooled[c] = map[best];
            PooledLocation[c] = (best % size, best / size);
        }
    }

    /// <summary>Side of the square maps.</summary>
    public int Size { get; }

    /// <summary>n: number of channels (the first 3 are the normalised input colours).</summary>
    public int Channels { get; }

    /// <summary>Pooled value of every channel: its maximum over the final map.</summary>
    public float[] Pooled { get; }

    /// <summary>Where every channel's maximum sits in the final map (column X, row Y; the first one in row-major order on ties).</summary>
    public (int X, int Y)[] PooledLocation { get; }

    /// <summary>Steps at which <see cref="MapAt"/> has maps (step 0 is the seed); empty when the evolution was not recorded.</summary>
    public int[] Steps { get; }

    /// <summary>The final S×S map of channel <paramref name="channel"/>, row-major.</summary>
    public ReadOnlySpan<float> Map(int channel)
    {
        CheckChannel(channel);
        return final.AsSpan(channel * Size * Size, Size * Size);
    }

    /// <summary>The map of <paramref name="channel"/> at the <paramref name="snapshot"/>-th recorded step (<see cref="Steps"/>[snapshot]).</summary>
    public ReadOnlySpan<float> MapAt(int snapshot, int channel)
    {
        CheckChannel(channel);
        if ((uint)snapshot >= (uint)snapshots.Length) throw new ArgumentOutOfRangeException(nameof(snapshot), $"snapshot {snapshot} is out of range 0..{snapshots.Length - 1}");
        return snapshots[snapshot].AsSpan(channel * Size * Size, Size * Size);
    }

    /// <summary>
    /// Builds the maps of image <paramref name="index"/> of a batch from the final state and (optionally) intermediate states,
    /// all of shape (B, S, S, n) as <see cref="Model.NcaBackbone.Trajectory"/> returns them.
    /// </summary>
    public static ChannelMaps FromStates(Tensor finalState, int index, IReadOnlyList<(int Step, Tensor State)>? evolution = null)
    {
        ArgumentNullException.ThrowIfNull(finalState);
        if (finalState.ndim != 4 || finalState.shape[1] != finalState.shape[2])
            throw new ArgumentException($"expected a (B, S, S, n) state, got [{string.Join(",", finalState.shape)}]");
        int size = (int)finalState.shape[1], channels = (int)finalState.shape[3];
        float[] final = ChannelMajor(finalState, index);
        var steps = new List<int>();
        var snaps = new List<float[]>();
        if (evolution is not null)
            foreach (var (step, state) in evolution)
            {
                steps.Add(step);
                snaps.Add(ChannelMajor(state, index));
            }
        return new ChannelMaps(size, channels, final, [.. steps], [.. snaps]);
    }

    /// <summary>Builds maps from channel-major data (n × S × S values), e.g. for tests or maps computed elsewhere.</summary>
    public static ChannelMaps FromArray(int size, int channels, float[] channelMajor)
    {
        if (channelMajor.Length != channels * size * size) throw new ArgumentException($"expected {channels}×{size}×{size} values, got {channelMajor.Length}");
        return new ChannelMaps(size, channels, channelMajor, [], []);
    }

    private static float[] ChannelMajor(Tensor state, int index)
    {
        using var scope = NewDisposeScope();
        Tensor one = state[index].permute(2, 0, 1).to(ScalarType.Float32, CPU).contiguous();   // (n, S, S)
        return one.data<float>().ToArray();
    }

    private void CheckChannel(int channel)
    {
        if ((uint)channel >= (uint)Channels) throw new ArgumentOutOfRangeException(nameof(channel), $"channel {channel} is out of range 0..{Channels - 1}");
    }
}
