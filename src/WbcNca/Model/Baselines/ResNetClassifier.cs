using TorchSharp;
using TorchSharp.Modules;
using WbcNca.Checkpoints;
using WbcNca.IO;
using static TorchSharp.torch;

namespace WbcNca.Model.Baselines;

/// <summary>
/// A ResNet-family CNN baseline (ResNeXt-50 32×4d, ResNet-18, or a narrower variant) written in TorchSharp with
/// torchvision's layer names and initialisation: stem (conv1, bn1, ReLU, max-pool), layer1…layer4 of residual blocks,
/// global average pooling, fc. Trained from scratch: no pretrained weights are used. Deterministic: it takes no masks.
/// </summary>
public sealed class ResNetClassifier : nn.Module<Tensor, Tensor>, ICellClassifier
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly Linear fc;
    private readonly bool pool;

    /// <summary>Creates the network with libtorch's global generator (see <see cref="Create"/> for a seeded one).</summary>
    /// <param name="config">Its configuration.</param>
    /// <param name="arch">The architecture name it is saved under (e.g. resnext50, resnet18).</param>
    public ResNetClassifier(ResNetConfig config, string arch) : base(nameof(ResNetClassifier))
    {
        Config = config.Validate();
        Runtime.OneDnn.ForCnns();   // before its first convolution (see OneDnn)
        Spec = ModelSpec.ForResNet(arch, config);
        bool small = config.Stem == "small";
        pool = !small;
        conv1 = nn.Conv2d(3, config.StemWidth, kernel_size: small ? 3 : 7, stride: small ? 1 : 2, padding: small ? 1 : 3, bias: false);
        nn.init.kaiming_normal_(conv1.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        bn1 = nn.BatchNorm2d(config.StemWidth);
        maxpool = nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1);
        int channels = config.StemWidth;
        var stages = new Sequential[4];
        for (int i = 0; i < 4; i++)
        {
            int planes = config.StemWidth << i;
            var blocks = new List<ResidualBlock>();
            for (int b = 0; b < config.StageBlocks[i]; b++)
            {
                int stride = i > 0 && b == 0 ? 2 : 1;
                if (config.IsBottleneck)
                {
                    blocks.Add(new Bottleneck(channels, planes, config.BottleneckWidth(planes), config.Groups, stride));
                    channels = planes * Bottleneck.Expansion;
                }
                else
                {
                    blocks.Add(new BasicBlock(channels, planes, stride));
                    channels = planes;
                }
            }
            stages[i] = nn.Sequential(blocks.ToArray());
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        fc = nn.Linear(channels, config.NumClasses);
        RegisterComponents();
    }

    /// <summary>Creates the network with initial weights fixed by <paramref name="seed"/> (seeds libtorch's global generator, as the NCA does).</summary>
    public static ResNetClassifier Create(ResNetConfig config, string arch, long seed, Device? device = null)
    {
        random.manual_seed(seed);
        var model = new ResNetClassifier(config, arch);
        if (device is not null) model.to(device);
        return model;
    }

    /// <summary>The configuration.</summary>
    public ResNetConfig Config { get; }

    /// <inheritdoc/>
    public ModelSpec Spec { get; }

    /// <inheritdoc/>
    public nn.Module Module => this;

    /// <inheritdoc/>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <inheritdoc/>
    public bool IsStochastic => false;

    /// <inheritdoc/>
    public Tensor? TrainingMasks(int batch, Generator generator, Device device) => null;

    /// <inheritdoc/>
    public Tensor? InferenceMasks(long seed, double? updateProbability, Device device) => null;

    /// <inheritdoc/>
    public Tensor Forward(Tensor images, Tensor? masks) => forward(images);

    /// <summary>Maps normalised images (B, 3, S, S) to logits (B, classes).</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        Tensor x = nn.functional.relu(bn1.forward(conv1.forward(images)));   // (B, w, S/2, S/2) or (B, w, S, S) with the small stem
        if (pool) x = maxpool.forward(x);                                    // (B, w, S/4, S/4)
        x = layer4.forward(layer3.forward(layer2.forward(layer1.forward(x)))); // (B, C, S/32, S/32)
        Tensor pooled = x.mean([2, 3]);                                       // (B, C)
        return fc.forward(pooled).MoveToOuterDisposeScope();                  // (B, classes)
    }

    /// <inheritdoc/>
    public long MultiplyAccumulates()
    {
        long[] stem = conv1.weight!.shape;
        int k = (int)stem[2], stride = pool ? 2 : 1;
        int size = MacCounter.ConvOutput(Config.ImageSize, k, stride, k / 2);
        long macs = MacCounter.Conv2d(stem, size, size);
        if (pool) size = MacCounter.ConvOutput(size, 3, 2, 1);
        foreach (Sequential layer in new[] { layer1, layer2, layer3, layer4 })
            foreach (ResidualBlock block in layer.children().Cast<ResidualBlock>())
                macs += block.MultiplyAccumulates(size, out size);
        return macs + MacCounter.Linear(fc.weight!.shape);
    }

    /// <inheritdoc/>
    public IEnumerable<(string Name, Tensor Tensor)> SavedTensors() => state_dict().Select(kv => (kv.Key, kv.Value));

    /// <inheritdoc/>
    public void LoadSavedTensors(IReadOnlyDictionary<string, TensorData> tensors, string path) => ModuleWeights.Load(this, tensors, path, $"a {Spec.Arch} classifier");
}
