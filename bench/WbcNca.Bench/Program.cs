// Benchmarks of our engines; prints one JSON object per measurement, like bench/python/nca_peer.py.
//   WbcNca.Bench train --preset paper --batch 16 --iters 2 --engine fused|torch|checkpoint|checkpoint-fused [--segment N]
//     (fused: FusedBackprop, forward and backward in C#, segment 0 = automatic; checkpoint*: CheckpointedBackprop, default 4)
//   WbcNca.Bench infer --preset paper --batch 1 --iters 3 --engine torch|fused
//   WbcNca.Bench framing --data ../shared/data --figure docs/figures/framing.png --json docs/framing.json --sample 1000 --size 32
//   WbcNca.Bench gemm [--preset P]        (libtorch fp32 GEMM of the preset's fc1 shape at batch 16: the machine's measured peak)
//   WbcNca.Bench cost --model nca-paper|nca-compact|nca-wide|resnext50|resnet18|aecfe --train-steps 3 --iters 5   (bench/model-costs.sh)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using WbcNca.Engines;
using WbcNca.Model;
using WbcNca.Runtime;
using static TorchSharp.torch;

var opts = new Dictionary<string, string>();
string mode = args.Length > 0 ? args[0] : "infer";
for (int i = 1; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
string Opt(string k, string d) => opts.TryGetValue(k, out var v) ? v : d;
string preset = Opt("preset", "paper"), engine = Opt("engine", "fused");
int batch = int.Parse(Opt("batch", "16"), CultureInfo.InvariantCulture), iters = int.Parse(Opt("iters", "3"), CultureInfo.InvariantCulture);
int warmup = int.Parse(Opt("warmup", "1"), CultureInfo.InvariantCulture), threads = int.Parse(Opt("threads", "2"), CultureInfo.InvariantCulture);
int segment = int.Parse(Opt("segment", engine == "fused" ? "0" : "4"), CultureInfo.InvariantCulture);
TorchRuntime.Initialize(threads);
if (mode == "framing")
{
    FramingBench.Run(Opt("data", "../shared/data"), Opt("figure", "docs/figures/framing.png"), Opt("json", "docs/framing.json"),
        int.Parse(Opt("sample", "1000"), CultureInfo.InvariantCulture), int.Parse(Opt("size", "32"), CultureInfo.InvariantCulture));
    return;
}
if (mode == "noncells")
{
    FramingBench.NonCells(Opt("out", "runs/noncells"));
    return;
}
if (mode == "sizes")
{
    FramingBench.Sizes(Opt("data", "../shared/data"), int.Parse(Opt("per-class", "200"), CultureInfo.InvariantCulture));
    return;
}
if (mode == "locate")
{
    FramingBench.Check(Opt("files", "").Split(',', StringSplitOptions.RemoveEmptyEntries), Opt("figure", "locate.png"));
    return;
}
if (mode == "cost")
{
    ModelCosts.Run(Opt("model", "resnet18"), int.Parse(Opt("train-steps", "3"), CultureInfo.InvariantCulture), iters, warmup, threads);
    return;
}
var result = new Dictionary<string, object>
{
    ["impl"] = "wbc-nca", ["version"] = "TorchSharp " + typeof(torch).Assembly.GetName().Version, ["mode"] = mode, ["engine"] = engine,
    ["preset"] = preset, ["batch"] = batch, ["threads"] = threads, ["glibc_tunables"] = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "",
};

if (mode == "gemm")
{
    // The fc1 GEMM of the preset's step at batch 16: (16·size², 3n) × (3n, hidden).
    NcaConfig shape = NcaConfig.FromPreset(preset);
    long rows = 16L * shape.ImageSize * shape.ImageSize, inner = 3L * shape.Channels, cols = shape.HiddenSize;
    using var a = randn(rows, inner);
    using var w = randn(cols, inner);
    var times = new List<double>();
    for (int i = 0; i < warmup + iters; i++)
    {
        var sw = Stopwatch.StartNew();
        using (var r = mm(a, w.t())) { }
        if (i >= warmup) times.Add(sw.Elapsed.TotalSeconds);
    }
    times.Sort();
    result["gflops"] = 2.0 * rows * inner * cols / times[times.Count / 2] / 1e9;
    Console.WriteLine(JsonSerializer.Serialize(result));
    return;
}

NcaConfig config = NcaConfig.FromPreset(preset);
int s = config.ImageSize;
using var model = NcaClassifier.Create(config, seed: 0);
using (no_grad())
    foreach (var (name, p) in model.named_parameters())
        if (name == "backbone.update.fc2.weight") p.normal_(0, 0.02);   // a trained-like rule (it starts at zero)
using var x = randn(batch, 3, s, s);
using var y = randint(0, config.NumClasses, [batch], dtype: ScalarType.Int64);
using var gen = new Generator(1);
using var masks = UpdateMask.Sample(config.Steps, batch, s, config.UpdateProbability, gen);
using var shared = masks.narrow(1, 0, 1);
var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
FusedNca? fused = engine == "fused" && mode != "train" ? new FusedNca(model) { Threads = threads } : null;
using var fusedTraining = new FusedBackprop(threads);
var seconds = new List<double>();
for (int i = 0; i < warmup + iters; i++)
{
    var sw = Stopwatch.StartNew();
    using (var scope = NewDisposeScope())
    {
        if (mode == "train")
        {
            optimizer.zero_grad();
            if (engine == "fused")
                fusedTraining.Step(model, x, masks, l => nn.functional.cross_entropy(l, y), segment);
            else if (engine is "checkpoint" or "checkpoint-fused")
                CheckpointedBackprop.LossAndBackward(model, x, masks, l => nn.functional.cross_entropy(l, y), segment, fused: engine == "checkpoint-fused");
            else
                nn.functional.cross_entropy(model.forward(x, masks), y).backward();
            optimizer.step();
        }
        else
        {
            using var _ = no_grad();
            Tensor logits = fused is null ? model.forward(x, shared) : model.Head.forward(model.Pool(fused.Forward(x, shared)));
        }
    }
    if (i >= warmup) seconds.Add(sw.Elapsed.TotalSeconds);
}
seconds.Sort();
double median = seconds[seconds.Count / 2];
result["seconds"] = median;
result["images_per_s"] = batch / median;
result["peak_rss_gb"] = PeakRssGb();
result["times"] = seconds;
int usedSegment = engine == "fused" && segment == 0 ? FusedBackprop.AutoSegment(config, batch) : segment;
if (mode == "train" && engine != "torch") result["segment"] = usedSegment;
if (engine == "fused")
{
    // Multiply-adds the fused kernels execute (cells whose mask is 0 are skipped): per updating cell and step, the
    // forward is fc1 (3n·h) + fc2 (h·n); training adds the recomputation of the states between kept ones, and the
    // backward: fc1 again, gΔ·W2 and gW2 (n·h each), gW1 and gz (3n·h each).
    double n = config.Channels, h = config.HiddenSize;
    double forward = 2 * (3 * n * h + h * n), backward = 2 * (3 * n * h) + 4 * n * h + 4 * 3 * n * h;
    double updates = mode == "train" ? masks.sum().item<float>() : shared.sum().item<float>() * batch;
    double flop = mode == "train" ? updates * (forward * (1 + (usedSegment - 1.0) / usedSegment) + backward) : updates * forward;
    result["gflop_per_iteration"] = flop / 1e9;
    result["gflops"] = flop / median / 1e9;
}
Console.WriteLine(JsonSerializer.Serialize(result));

static double PeakRssGb()
{
    foreach (string line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024 / 1024;
    return double.NaN;
}
