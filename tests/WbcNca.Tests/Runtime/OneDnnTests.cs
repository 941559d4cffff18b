using WbcNca.Runtime;
using WbcNca.Tests.Cli;
using static TorchSharp.torch;

namespace WbcNca.Tests.Runtime;

/// <summary>libtorch's oneDNN convolutions are off unless <c>WBC_NCA_ONEDNN=on</c>, and the results stay the same.</summary>
[Collection(TorchCollection.Name)]
public sealed class OneDnnTests
{
    [Fact]
    public void Switching_onednn_off_and_on_reaches_libtorch()
    {
        bool before = OneDnn.Enabled;
        try
        {
            OneDnn.Enabled = false;
            Assert.Equal((false, false), (OneDnn.Enabled, OneDnn.NnpackEnabled));
            OneDnn.Enabled = true;
            Assert.Equal((true, true), (OneDnn.Enabled, OneDnn.NnpackEnabled));
        }
        finally
        {
            OneDnn.Enabled = before;
        }
    }

    [Fact]
    public void A_grouped_and_a_strided_convolution_give_the_same_gradients_with_onednn_off()
    {
        bool before = OneDnn.Enabled;
        try
        {
            OneDnn.Enabled = true;
            var on = Gradients();
            OneDnn.Enabled = false;
            var off = Gradients();
            for (int i = 0; i < on.Length; i++)
            {
                // Relative to the gradient's largest entry: two summation orders of float32 products.
                double error = (on[i] - off[i]).abs().max().item<float>() / on[i].abs().max().item<float>();
                Assert.True(error < 1e-5, $"gradient {i} differs with oneDNN off by {error:g3} of its largest entry");
            }
        }
        finally
        {
            OneDnn.Enabled = before;
        }
    }

    [Fact]
    public void The_environment_variable_is_read_as_a_switch_and_an_unknown_value_is_one_clear_error()
    {
        string? value = Environment.GetEnvironmentVariable(OneDnn.Variable);
        try
        {
            Environment.SetEnvironmentVariable(OneDnn.Variable, null);
            Assert.Null(OneDnn.FromEnvironment());
            Environment.SetEnvironmentVariable(OneDnn.Variable, "ON");
            Assert.True(OneDnn.FromEnvironment());
            Environment.SetEnvironmentVariable(OneDnn.Variable, "off");
            Assert.False(OneDnn.FromEnvironment());
            Environment.SetEnvironmentVariable(OneDnn.Variable, "sometimes");
            var e = Assert.Throws<WbcNcaException>(() => OneDnn.FromEnvironment());
            Assert.Equal("WBC_NCA_ONEDNN=sometimes: expected on or off", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(OneDnn.Variable, value);
        }
    }

    [Fact]
    public void Building_a_cnn_switches_onednn_off_unless_asked_and_the_nca_leaves_it_alone()
    {
        bool before = OneDnn.Enabled;
        try
        {
            OneDnn.Enabled = true;
            using (var nca = new WbcNca.Model.Perception(8)) Assert.True(OneDnn.Enabled);
            using var model = WbcNca.Model.Baselines.ResNetClassifier.Create(WbcNca.Tests.Model.ResNetClassifierTests.TinyResNet18,
                WbcNca.Model.ModelSpec.ResNet18Arch, seed: 1);
            Assert.Equal(OneDnn.FromEnvironment() ?? false, OneDnn.Enabled);
        }
        finally
        {
            OneDnn.Enabled = before;
        }
    }

    [Fact]
    public void The_command_line_refuses_an_unknown_onednn_setting_with_one_line()
    {
        var r = CliProcess.RunWith(new Dictionary<string, string?> { [OneDnn.Variable] = "maybe" }, "predict", "cell.png");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: WBC_NCA_ONEDNN=maybe: expected on or off", Assert.Single(r.StderrLines));
    }

    // A grouped 3×3 convolution (ResNeXt's) and a strided 1×1 one (a ResNet's shortcut), forward and backward.
    private static Tensor[] Gradients()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(7, CPU);
        Tensor x = randn([4, 64, 16, 16], generator: g).requires_grad_();
        Tensor w1 = randn([64, 2, 3, 3], generator: g).requires_grad_();
        Tensor w2 = randn([128, 64, 1, 1], generator: g).requires_grad_();
        Tensor y = nn.functional.conv2d(x, w1, padding: [1, 1], groups: 32);
        Tensor z = nn.functional.conv2d(y, w2, strides: [2, 2]);
        z.square().sum().backward();
        return [x.grad!.detach().clone().MoveToOuterDisposeScope(), w1.grad!.detach().clone().MoveToOuterDisposeScope(),
            w2.grad!.detach().clone().MoveToOuterDisposeScope()];
    }
}
