using WbcNca.Model;
using WbcNca.Model.Baselines;
using static TorchSharp.torch;

namespace WbcNca.Tests.Model;

[Collection(TorchCollection.Name)]
public sealed class MacCounterTests
{
    [Fact]
    public void A_3x3_convolution_from_3_to_4_channels_on_a_5x5_output_costs_2700_macs()
    {
        // 4 output channels × 25 positions × (3 inputs × 9 taps) = 2,700.
        Assert.Equal(2700, MacCounter.Conv2d(3, 4, 3, 3, groups: 1, outHeight: 5, outWidth: 5));
        Assert.Equal(2700, MacCounter.Conv2d([4, 3, 3, 3], 5, 5));
    }

    [Fact]
    public void A_depthwise_3x3_convolution_of_4_channels_on_5x5_costs_900_macs()
    {
        // Each of 4 channels sees only itself: 4 × 25 × 9 = 900.
        Assert.Equal(900, MacCounter.Conv2d(4, 4, 3, 3, groups: 4, outHeight: 5, outWidth: 5));
        Assert.Equal(900, MacCounter.Conv2d([4, 1, 3, 3], 5, 5));
    }

    [Fact]
    public void A_grouped_convolution_multiplies_only_within_its_group()
    {
        // 8 → 8 channels in 2 groups: each output sums 4 inputs × 9 taps; 8 × 4 positions × 36 = 1,152.
        Assert.Equal(1152, MacCounter.Conv2d(8, 8, 3, 3, groups: 2, outHeight: 2, outWidth: 2));
    }

    [Fact]
    public void A_linear_layer_costs_inputs_times_outputs_per_row()
    {
        Assert.Equal(30, MacCounter.Linear(10, 3));
        Assert.Equal(210, MacCounter.Linear([3, 10], rows: 7));
    }

    [Fact]
    public void A_transposed_convolution_costs_its_weights_once_per_input_position()
    {
        // Weight (in 8, out 3, 4, 4) scattered from each of 2×2 inputs: 8 × 3 × 16 × 4 = 1,536; output side (2−1)·2 − 2 + 4 = 4.
        Assert.Equal(1536, MacCounter.ConvTranspose2d([8, 3, 4, 4], 2, 2));
        Assert.Equal(4, MacCounter.ConvTransposeOutput(2, 4, 2, 1));
    }

    [Theory]
    [InlineData(5, 3, 1, 1)]
    [InlineData(5, 3, 2, 1)]
    [InlineData(64, 7, 2, 3)]
    [InlineData(7, 1, 2, 0)]
    [InlineData(32, 4, 2, 1)]
    public void The_output_side_formula_matches_the_shape_libtorch_computes(int size, int kernel, int stride, int padding)
    {
        using var conv = nn.Conv2d(2, 3, kernel_size: kernel, stride: stride, padding: padding);
        using var x = zeros(1, 2, size, size);
        using var y = conv.forward(x);
        Assert.Equal(y.shape[2], MacCounter.ConvOutput(size, kernel, stride, padding));
    }

    [Fact]
    public void A_small_nca_costs_k_steps_of_perception_and_rule_over_every_cell_plus_the_head()
    {
        // n = 4, hidden 5, k = 2 steps, 3×3 image, head 4 → 6 → 2. Per cell and step: two depthwise 3×3 kernels 2·4·9 = 72,
        // Linear(12 → 5) = 60, Linear(5 → 4) = 20: 152. Nine cells, two steps: 2,736. Head: 4·6 + 6·2 = 36. Total 2,772.
        using var model = new NcaCellClassifier(new NcaClassifier(new NcaConfig(Channels: 4, HiddenSize: 5, Steps: 2, ImageSize: 3, ClassifierHidden: 6, NumClasses: 2)));
        Assert.Equal(2772, model.MultiplyAccumulates());
    }

    [Fact]
    public void The_paper_nca_costs_about_17_8_gigamacs_per_image_although_it_has_86k_parameters()
    {
        using var model = new NcaCellClassifier(new NcaClassifier(NcaConfig.Paper));
        long perCellStep = 2 * 128 * 9 + 384 * 128 + 128 * 128;
        Assert.Equal(64L * 64 * 64 * perCellStep + 128 * 128 + 128 * 13, model.MultiplyAccumulates());
        Assert.Equal(86_413, model.ParameterCount);
    }

    [Theory]
    [InlineData(224, 1000, 1_814_073_344L)]   // torchvision's published 1.81 GFLOPS (counted as MACs)
    [InlineData(64, 13, 148_052_480L)]
    public void ResNet18_macs_equal_the_stage_by_stage_hand_count(int size, int classes, long expected)
    {
        using var model = new ResNetClassifier(ResNetConfig.ResNet18 with { ImageSize = size, NumClasses = classes }, ModelSpec.ResNet18Arch);
        Assert.Equal(expected, HandCount(size, classes, bottleneck: false, [2, 2, 2, 2], 1, 64));
        Assert.Equal(expected, model.MultiplyAccumulates());
    }

    [Theory]
    [InlineData(224, 1000, 4_230_479_872L)]   // torchvision's published 4.23 GFLOPS (counted as MACs)
    [InlineData(64, 13, 345_204_736L)]
    public void ResNeXt50_macs_equal_the_stage_by_stage_hand_count(int size, int classes, long expected)
    {
        using var model = new ResNetClassifier(ResNetConfig.ResNeXt50 with { ImageSize = size, NumClasses = classes }, ModelSpec.ResNeXt50Arch);
        Assert.Equal(expected, HandCount(size, classes, bottleneck: true, [3, 4, 6, 3], 32, 4));
        Assert.Equal(expected, model.MultiplyAccumulates());
    }

    [Fact]
    public void The_autoencoder_baseline_counts_its_encoder_only()
    {
        // 64×64 → 32 → 16 → 8 → 4 with 4×4 kernels: 32²·32·3·16 + 16²·64·32·16 + 8²·128·64·16 + 4²·256·128·16, then 4096 → 256.
        long expected = 1024L * 32 * 3 * 16 + 256L * 64 * 32 * 16 + 64L * 128 * 64 * 16 + 16L * 256 * 128 * 16 + 4096L * 256;
        using var model = new AeCfeClassifier(new AeCfeConfig());
        Assert.Equal(expected, model.MultiplyAccumulates());
    }

    /// <summary>The published ResNet/ResNeXt layer plan written out: 7×7/2 stem, 3×3/2 max-pool, four stages, fc.</summary>
    private static long HandCount(int size, int classes, bool bottleneck, int[] layers, int groups, int widthPerGroup)
    {
        int s = (size + 6 - 7) / 2 + 1;
        long macs = (long)s * s * 64 * 3 * 49;
        s = (s + 2 - 3) / 2 + 1;
        int inChannels = 64;
        for (int stage = 0; stage < 4; stage++)
        {
            int planes = 64 << stage;
            for (int b = 0; b < layers[stage]; b++)
            {
                int stride = stage > 0 && b == 0 ? 2 : 1, so = (s + 2 - 3) / stride + 1, outChannels;
                if (bottleneck)
                {
                    int w = planes * widthPerGroup / 64 * groups;
                    outChannels = 4 * planes;
                    macs += (long)s * s * inChannels * w + (long)so * so * w * (w / groups) * 9 + (long)so * so * w * outChannels;
                }
                else
                {
                    outChannels = planes;
                    macs += (long)so * so * inChannels * planes * 9 + (long)so * so * planes * planes * 9;
                }
                if (stride != 1 || inChannels != outChannels) macs += (long)so * so * inChannels * outChannels;
                inChannels = outChannels;
                s = so;
            }
        }
        return macs + (long)inChannels * classes;
    }
}
