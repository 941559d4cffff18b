using TorchSharp;
using WbcNca.Engines;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Engines;

[Collection("torch")]
public class NcaEnginesTests
{
    [Fact]
    public void The_cpu_defaults_to_the_fused_kernel_and_any_other_device_to_libtorch()
    {
        Assert.Equal(NcaEngine.Fused, NcaEngines.Resolve(null, CPU));
        Assert.Equal(NcaEngine.Fused, NcaEngines.Resolve(null, null));
        Assert.Equal(NcaEngine.Torch, NcaEngines.Resolve(NcaEngine.Torch, CPU));
        Assert.Equal(NcaEngine.Torch, NcaEngines.Resolve(null, new Device(DeviceType.CUDA, 0)));
    }

    [Fact]
    public void Asking_for_the_fused_kernel_off_the_cpu_runs_libtorch_and_libtorch_stays_libtorch_everywhere()
    {
        var cuda = new Device(DeviceType.CUDA, 0);
        Assert.Equal(NcaEngine.Fused, NcaEngines.Resolve(NcaEngine.Fused, CPU));
        Assert.Equal(NcaEngine.Torch, NcaEngines.Resolve(NcaEngine.Fused, cuda));
        Assert.Equal(NcaEngine.Torch, NcaEngines.Resolve(NcaEngine.Torch, CPU));
        Assert.Equal(NcaEngine.Torch, NcaEngines.Resolve(NcaEngine.Torch, cuda));
    }

    [Fact]
    public void Only_an_nca_on_the_cpu_with_the_fused_engine_gets_a_fused_classifier()
    {
        using ICellClassifier nca = ModelSpec.ForNca(NcaConfig.Compact with { Steps = 2, Channels = 8, HiddenSize = 8, NumClasses = 3 }).Build();
        using ICellClassifier resnet = ModelSpec.Default(ModelSpec.ResNet18Arch).WithClasses(3).Build();
        Assert.Same(((NcaCellClassifier)nca).Classifier, NcaEngines.FusedClassifier(nca, null, CPU));
        Assert.Null(NcaEngines.FusedClassifier(nca, NcaEngine.Torch, CPU));
        Assert.Null(NcaEngines.FusedClassifier(nca, NcaEngine.Fused, new Device(DeviceType.CUDA, 0)));
        Assert.Null(NcaEngines.FusedClassifier(resnet, NcaEngine.Fused, CPU));
    }
}
