using System.Runtime.InteropServices;

namespace WbcNca.Runtime;

/// <summary>
/// libtorch's OpenMP worker threads (libgomp) spin for a while after every parallel region by default. Between two
/// libtorch calls, and on a machine shared with other busy processes, the spinning threads take the cores from the work
/// that runs meanwhile (the fused C# kernels, or another process); the PASSIVE wait policy lets them sleep instead.
/// libgomp reads <c>OMP_WAIT_POLICY</c> once, when libtorch is loaded: the launcher, tests and benchmarks set it;
/// <see cref="Apply"/> sets it for processes started any other way, provided it runs before the first libtorch call.
/// </summary>
public static partial class OpenMpWaitPolicy
{
    /// <summary>The policy the launcher, tests and benchmarks set.</summary>
    public const string Policy = "PASSIVE";

    /// <summary>Sets <c>OMP_WAIT_POLICY</c> in the process environment unless it is set already; does nothing off Linux.</summary>
    public static void Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return;
        try
        {
            setenv("OMP_WAIT_POLICY", Policy, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Another C library: the default policy stays.
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
