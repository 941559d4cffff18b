using WbcNca.Engines;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using WbcNca.Model;
using WbcNca.Model.Baselines;
using static TorchSharp.torch;

/// <summary>
/// <c>WbcNca.Bench cost --model M</c>: the cost of one model as the CLI builds it (13 classes), on random images:
/// parameters, multiply-accumulates per image (counted from the layers), a few training steps at batch 16 (images/s,
/// and the process's peak resident memory after them), CPU latency per image at batch 1 and throughput at batch 16 in
/// inference. Prints one JSON object. Models: nca-paper, nca-compact, nca-wide, resnext50, resnet18, aecfe.
/// </summary>
public static class ModelCosts
{
    /// <summary>Names accepted by --model.</summary>
    public static readonly string[] Models = ["nca-paper", "nca-compact", "nca-wide", "resnext50", "resnet18", "aecfe"];

    /// <summary>Measures one model and prints the JSON object.</summary>
    public static void Run(string name, int trainSteps, int iters, int warmup, int threads)
    {
        ModelSpec spec = name switch
        {
            "nca-paper" => ModelSpec.ForNca(NcaConfig.Paper),
            "nca-compact" => ModelSpec.ForNca(NcaConfig.Compact),
            "nca-wide" => ModelSpec.ForNca(NcaConfig.Wide),
            "resnext50" or "resnet18" or "aecfe" => ModelSpec.Default(name),
            _ => throw new ArgumentException($"unknown model '{name}' (expected one of: {string.Join(", ", Models)})"),
        };
        using ICellClassifier model = spec.Create(seed: 0);
        if (model is NcaCellClassifier nca)
            using (no_grad())
                foreach (var (n, p) in nca.Classifier.named_parameters())
                    if (n == "backbone.update.fc2.weight") p.normal_(0, 0.02);   // a trained-like rule (it starts at zero)
        int s = spec.ImageSize;
        var result = new Dictionary<string, object>
        {
            ["model"] = name, ["arch"] = spec.Arch, ["config"] = JsonDocument.Parse(spec.ConfigJson()).RootElement, ["image_size"] = s,
            ["parameters"] = model.ParameterCount, ["macs_per_image"] = model.MultiplyAccumulates(), ["threads"] = threads,
            ["version"] = "TorchSharp " + typeof(torch).Assembly.GetName().Version,
        };

        // Training steps at batch 16, as `wbc-nca train` makes them (the NCA with per-image random masks; the autoencoder on reconstruction).
        if (trainSteps > 0)
        {
            var times = new List<double>();
            double forward = 0, backward = 0, update = 0;
            model.Module.train();
            using var optimizer = optim.Adam(model.Module.parameters(), 1e-3);
            using var gen = new Generator(1);
            using var trainingStep = new TrainingStep(NcaEngine.Fused);
            for (int i = 0; i < trainSteps + 1; i++)
            {
                var sw = Stopwatch.StartNew();
                using (var scope = NewDisposeScope())
                {
                    Tensor x = randn([16, 3, s, s], generator: gen);
                    optimizer.zero_grad();
                    var part = Stopwatch.StartNew();
                    double f, fb;
                    if (model is NcaCellClassifier ncaModel)
                    {
                        // As `wbc-nca train` does on the CPU: the fused engine's forward and backward (one timed unit).
                        Tensor y = randint(0, 13, [16], dtype: ScalarType.Int64, generator: gen);
                        trainingStep.LossAndBackward(ncaModel.Classifier, x, model.TrainingMasks(16, gen, CPU), l => nn.functional.cross_entropy(l, y));
                        f = fb = part.Elapsed.TotalSeconds;
                    }
                    else
                    {
                        Tensor loss = model is AeCfeClassifier ae
                            ? nn.functional.mse_loss(ae.Autoencoder.forward(x), x)
                            : nn.functional.cross_entropy(model.Forward(x, model.TrainingMasks(16, gen, CPU)), randint(0, 13, [16], dtype: ScalarType.Int64, generator: gen));
                        f = part.Elapsed.TotalSeconds;
                        loss.backward();
                        fb = part.Elapsed.TotalSeconds;
                    }
                    optimizer.step();
                    if (i > 0) (forward, backward, update) = (forward + f, backward + fb - f, update + part.Elapsed.TotalSeconds - fb);
                }
                if (i > 0) times.Add(sw.Elapsed.TotalSeconds);   // the first step allocates and warms up
            }
            times.Sort();
            result["train_steps"] = trainSteps;
            result["train_images_per_s"] = 16 / times[times.Count / 2];
            result["train_seconds_forward_backward_update"] = new[] { forward / trainSteps, backward / trainSteps, update / trainSteps };
            result["peak_train_rss_gb"] = PeakRssGb();
        }

        // Inference: the AE-CFE needs its forest, fitted on features of random images.
        model.Module.eval();
        if (model is AeCfeClassifier aecfe)
        {
            var sw = Stopwatch.StartNew();
            using var x = randn([512, 3, s, s], generator: new Generator(2));
            float[] features = aecfe.Features(x);
            int[] labels = Enumerable.Range(0, 512).Select(i => i % 13).ToArray();
            aecfe.Forest = RandomForest.Fit(features, 512, aecfe.Config.Bottleneck, labels, 13, aecfe.Config.Trees, seed: 1, aecfe.Config.MinLeaf, aecfe.Config.MaxDepth, threads);
            result["forest_nodes"] = aecfe.Forest.Nodes;
            result["forest_fit_seconds_512_rows"] = sw.Elapsed.TotalSeconds;
        }
        FusedNca? fused = model is NcaCellClassifier forFused ? new FusedNca(forFused.Classifier) { Threads = threads } : null;   // predict's CPU engine
        result["engine"] = fused is null ? "libtorch" : "fused (NCA forward and backward on the C# kernels)";
        result["latency_b1_ms"] = 1000 * Median(model, fused, 1, s, iters, warmup);
        result["throughput_b16_images_per_s"] = 16 / Median(model, fused, 16, s, iters, warmup);
        result["peak_rss_gb"] = PeakRssGb();
        Console.WriteLine(JsonSerializer.Serialize(result));
    }

    private static double Median(ICellClassifier model, FusedNca? fused, int batch, int s, int iters, int warmup)
    {
        using var x = randn([batch, 3, s, s], generator: new Generator(3));
        using var masks = model.InferenceMasks(0, null, CPU);   // fixed masks shared by the batch, as predict uses them
        var times = new List<double>();
        using var _ = no_grad();
        for (int i = 0; i < warmup + iters; i++)
        {
            var sw = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                if (fused is not null && model is NcaCellClassifier n) n.Classifier.Head.forward(n.Classifier.Pool(fused.Forward(x, masks)));
                else model.Forward(x, masks);
            }
            if (i >= warmup) times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static double PeakRssGb()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024 / 1024;
        return double.NaN;
    }
}
