using TorchSharp;
using static TorchSharp.torch;

namespace WbcNca.Runtime;

/// <summary>Process-wide libtorch set-up: allocator, thread count and device choice, all explicit.</summary>
public static class TorchRuntime
{
    /// <summary>Names accepted by <see cref="ParseDevice"/>.</summary>
    public static IReadOnlyList<string> DeviceNames { get; } = ["cpu", "cuda"];

    /// <summary>
    /// CPU threads the process may use for its own parallel loops (file hashing; decoding takes its count from the
    /// caller): the <c>--threads</c> given to <see cref="Initialize"/>, or every core.
    /// </summary>
    public static int Threads { get; private set; } = Environment.ProcessorCount;

    /// <summary>
    /// Applies the allocator settings, OpenMP's wait policy (see <see cref="OpenMpWaitPolicy"/>), <c>WBC_NCA_ONEDNN</c>
    /// when set (see <see cref="OneDnn"/>) and, when
    /// <paramref name="threads"/> is given, the number of libtorch intra-op threads (which the fused engine also uses)
    /// and <see cref="Threads"/>.
    /// </summary>
    public static void Initialize(int? threads = null)
    {
        OpenMpWaitPolicy.Apply();
        NativeAllocator.Apply();
        OneDnn.ApplyEnvironment();
        if (threads is int t)
        {
            if (t < 1) throw new WbcNcaException($"--threads must be ≥ 1 (got {t})");
            set_num_threads(t);
            Threads = t;
        }
    }

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>; CUDA needs the CUDA build of TorchSharp and a GPU.</summary>
    public static Device ParseDevice(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new WbcNcaException($"--device {name}: CUDA is not available (this build uses TorchSharp-cpu, or no GPU is visible); install the CUDA build of TorchSharp or use --device cpu");
            return new Device(n);
        }
        throw new WbcNcaException($"--device {name}: unknown device (expected one of: {string.Join(", ", DeviceNames)}, cuda:N)");
    }
}
