using TorchSharp;
using WbcNca.Engines;
using static TorchSharp.torch;

namespace WbcNca.Tests.Engines;

public class NcaEnginesTests
{
    [Fact]
    public void The_cpu_defaults_to_the_fused_kernel_and_any_other_device_to_libtorch()
    {
        Assert.Equal(NcaEngine.Fused, NcaEngines.For(CPU));
        Assert.Equal(NcaEngine.Fused, NcaEngines.For(null));
        Assert.Equal(NcaEngine.Torch, NcaEngines.For(CPU, preferTorch: true));
        Assert.Equal(NcaEngine.Torch, NcaEngines.For(new Device(DeviceType.CUDA, 0)));
    }

    [Fact]
    public void Asking_for_the_fused_kernel_off_the_cpu_runs_libtorch_and_libtorch_stays_libtorch_everywhere()
    {
        var cuda = new Device(DeviceType.CUDA, 0);
        Assert.Equal(NcaEngine.Fused, NcaEngines.On(NcaEngine.Fused, CPU));
        Assert.Equal(NcaEngine.Torch, NcaEngines.On(NcaEngine.Fused, cuda));
        Assert.Equal(NcaEngine.Torch, NcaEngines.On(NcaEngine.Torch, CPU));
        Assert.Equal(NcaEngine.Torch, NcaEngines.On(NcaEngine.Torch, cuda));
    }
}
