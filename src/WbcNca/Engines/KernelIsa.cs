using System.Runtime.Intrinsics;

namespace WbcNca.Engines;

/// <summary>
/// Which vector width the fused C# kernels use: Vector512 (AVX-512) where the CPU accelerates it, else Vector256.
/// Setting <see cref="UseVector512"/> to false runs the Vector256 fallback on an AVX-512 machine (tests check both).
/// </summary>
public static class KernelIsa
{
    private static bool use512 = Vector512.IsHardwareAccelerated;

    /// <summary>True when the kernels run their Vector512 paths; can only be true where Vector512 is accelerated.</summary>
    public static bool UseVector512
    {
        get => use512;
        set => use512 = value && Vector512.IsHardwareAccelerated;
    }
}
