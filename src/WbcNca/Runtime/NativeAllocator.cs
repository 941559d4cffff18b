using System.Runtime.InteropServices;

namespace WbcNca.Runtime;

/// <summary>
/// Keeps glibc's malloc from returning libtorch's large tensors to the kernel after every use. With the default
/// settings each large allocation is a fresh mmap that page-faults on first touch, which makes libtorch several
/// times slower on virtual machines. The launcher sets <c>GLIBC_TUNABLES</c> before the process starts; for
/// processes started any other way (a library user, <c>dotnet test</c>) this applies the two settings that matter,
/// no mmap for large blocks and no trimming, through <c>mallopt</c> at run time.
/// </summary>
public static partial class NativeAllocator
{
    /// <summary>The tunables the launcher, tests and benchmarks set before a process starts.</summary>
    public const string GlibcTunables = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736";

    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_MAX = -4;
    private static int applied;

    /// <summary>True when the tunables were set in the environment or <see cref="Apply"/> changed the settings.</summary>
    public static bool IsTuned => Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("mmap_max=0", StringComparison.Ordinal) == true || applied == 2;

    /// <summary>Applies the settings once per process; does nothing off Linux or on a C library without mallopt.</summary>
    public static void Apply()
    {
        if (Interlocked.CompareExchange(ref applied, 1, 0) != 0 || !OperatingSystem.IsLinux()) return;
        try
        {
            bool ok = mallopt(M_MMAP_MAX, 0) == 1;
            ok &= mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1;
            if (ok) applied = 2;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl and other C libraries: nothing to tune.
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);
}
