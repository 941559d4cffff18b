using System.Runtime.InteropServices;

namespace WbcNca.Runtime;

/// <summary>
/// libtorch's use of oneDNN (MKL-DNN) for convolutions. On some CPUs oneDNN's kernels for ordinary convolutions are
/// wrong: on an AMD CPU of family 26 (its virtual machine reports a 508 MB L3 cache) a narrow ResNet-18's first
/// backward pass gave gradients so large that Adam's first step turned every weight into NaN, and ResNeXt-50's
/// backward pass ended in a "Floating point exception" (oneDNN divides by zero while it plans a strided 1×1
/// convolution). Without oneDNN, libtorch computes convolutions by its own im2col and GEMM path, which is right there
/// and slower (ResNeXt-50 trains about 3× slower). So the CNN baselines switch it off when they are built
/// (<see cref="ForCnns"/>); the NCA's depthwise perception keeps it (its libtorch engine is 5× slower without it, and
/// checked against the fused kernels by the tests). <c>WBC_NCA_ONEDNN=on</c> or <c>off</c> decides for every model of
/// the process instead (<see cref="TorchRuntime.Initialize"/> and <see cref="ForCnns"/> apply it). With oneDNN off,
/// NNPACK is switched off too: libtorch would try it for every forward convolution instead, and on a CPU it does not
/// support it prints "Could not initialize NNPACK! Reason: Unsupported hardware." each time (1,800 lines for 32 images).
/// </summary>
public static partial class OneDnn
{
    /// <summary>The environment variable read by <see cref="FromEnvironment"/>.</summary>
    public const string Variable = "WBC_NCA_ONEDNN";

    /// <summary>
    /// Whether libtorch may use oneDNN; setting it takes effect for the next convolution, process-wide, and sets
    /// <see cref="NnpackEnabled"/> to the same value.
    /// </summary>
    public static bool Enabled
    {
        get => UserEnabledMkldnn(Context());
        set
        {
            IntPtr context = Context();
            SetUserEnabledMkldnn(context, value);
            SetUserEnabledNnpack(context, value);
        }
    }

    /// <summary>Whether libtorch may use NNPACK for a convolution (follows <see cref="Enabled"/>).</summary>
    public static bool NnpackEnabled => UserEnabledNnpack(Context());

    /// <summary>Applies <see cref="Variable"/> when it is set; otherwise leaves libtorch's setting as it is.</summary>
    public static void ApplyEnvironment()
    {
        if (FromEnvironment() is bool enabled) Enabled = enabled;
    }

    /// <summary>Before a CNN's first convolution: oneDNN off, unless <see cref="Variable"/> says otherwise.</summary>
    public static void ForCnns() => Enabled = FromEnvironment() ?? false;

    /// <summary>
    /// <see cref="Variable"/> as a switch: <c>on</c> or <c>off</c> (any case; also 1/0, true/false); null when unset or
    /// empty. Any other value is a user error naming the variable.
    /// </summary>
    public static bool? FromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value)) return null;
        return value.Trim().ToLowerInvariant() switch
        {
            "on" or "1" or "true" => true,
            "off" or "0" or "false" => false,
            _ => throw new WbcNcaException($"{Variable}={value}: expected on or off"),
        };
    }

    private static IntPtr Context()
    {
        TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU); // loads libtorch once
        return GlobalContext();
    }

    // at::globalContext() and at::Context's oneDNN and NNPACK switches (torch.backends.mkldnn.enabled and
    // torch.backends.nnpack.enabled in Python), exported by libtorch_cpu.
    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledMkldnn(IntPtr context);

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledNnpack(IntPtr context);

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
