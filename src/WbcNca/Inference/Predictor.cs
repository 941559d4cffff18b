using TorchSharp;
using WbcNca.Checkpoints;
using WbcNca.Engines;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Inference;

/// <summary>
/// Runs a <see cref="ModelBundle"/> on preprocessed images (planar 3×S×S float arrays, already normalised)
/// in batches, in one of the inference modes of <see cref="PredictOptions"/>.
/// </summary>
public sealed class Predictor
{
    private readonly ModelBundle bundle;
    private readonly Device device;
    private readonly FusedNca? fused;

    /// <summary>
    /// Creates a predictor on <paramref name="device"/> (CPU when null) running an NCA backbone on <paramref name="engine"/>
    /// as <see cref="NcaEngines.Resolve"/> decides (by default the fused kernel on the CPU, libtorch elsewhere).
    /// </summary>
    public Predictor(ModelBundle bundle, Device? device = null, NcaEngine? engine = null)
    {
        this.bundle = bundle;
        this.device = device ?? CPU;
        bundle.Model.Module.to(this.device);
        bundle.Model.Module.eval();
        if (NcaEngines.FusedClassifier(bundle.Model, engine, this.device) is NcaClassifier nca) fused = FusedNca.WithTorchThreads(nca);
    }

    /// <summary>The model being run.</summary>
    public ModelBundle Bundle => bundle;

    /// <summary>Predicts every image; <paramref name="images"/> are planar 3×S×S arrays with S = the model's image size.</summary>
    public IReadOnlyList<Prediction> Predict(IReadOnlyList<float[]> images, PredictOptions options)
    {
        options.Validate();
        ModelSpec spec = bundle.Spec;
        int s = spec.ImageSize, plane = 3 * s * s;
        foreach (float[] image in images)
            if (image.Length != plane) throw new ArgumentException($"expected {plane} values per image (3×{s}×{s}), got {image.Length}");

        double p = options.UpdateProbability ?? spec.Nca?.UpdateProbability ?? 1.0;
        int samples = PredictOptions.RunCount(deterministic: p >= 1.0 || !bundle.Model.IsStochastic, options.Samples, options.Views);
        var results = new List<Prediction>(images.Count);
        // With a feature distance, the NCA runs as backbone, pooling and head, so that the pooled state is at hand.
        NcaClassifier? withFeatures = bundle.FeatureDistance is not null ? (bundle.Model as NcaCellClassifier)?.Classifier : null;
        using var _ = no_grad();
        for (int start = 0; start < images.Count; start += options.BatchSize)
        {
            int b = Math.Min(options.BatchSize, images.Count - start);
            using var scope = NewDisposeScope();
            var flat = new float[b * plane];
            for (int i = 0; i < b; i++) images[start + i].CopyTo(flat, i * plane);
            Tensor x = tensor(flat, [b, 3, s, s]).to(device);                       // (B, 3, S, S)

            var probs = new List<Tensor>(samples);
            var logits = new List<Tensor>(samples);
            var pooled = new List<Tensor>(samples);
            for (int k = 0; k < samples; k++)
            {
                Tensor? masks = bundle.Model.InferenceMasks(options.Seed + k, p, device);   // (k, 1, S, S, 1) or null
                Tensor xk = options.Views ? Imaging.DihedralView.Apply(x, k) : x;
                Tensor l;
                if (withFeatures is not null)
                {
                    Tensor h = NcaEngines.PooledState(withFeatures, fused, xk, masks);   // (B, n)
                    pooled.Add(h);
                    l = withFeatures.Head.forward(h);                                   // (B, classes)
                }
                else l = fused is null ? bundle.Model.Forward(xk, masks) : fused.Classify(xk, masks);   // (B, classes)
                logits.Add(l);
                probs.Add(nn.functional.softmax(bundle.Calibration.IsFitted ? l / bundle.Calibration.Temperature : l, 1));   // calibrated
            }
            Tensor probStack = stack(probs).cpu();                                      // (samples, B, classes)
            float[] meanProb = probStack.mean([0]).data<float>().ToArray();
            float[] stdProb = samples > 1 ? probStack.std(0, unbiased: false).data<float>().ToArray() : new float[b * spec.NumClasses];
            float[] meanLogit = stack(logits).cpu().mean([0]).data<float>().ToArray();
            float[]? features = pooled.Count > 0 ? stack(pooled).mean([0]).cpu().data<float>().ToArray() : null;   // (B·n), mean over the runs
            int c = spec.NumClasses;
            for (int i = 0; i < b; i++)
            {
                float[] pr = meanProb[(i * c)..((i + 1) * c)];
                int best = 0;
                for (int j = 1; j < c; j++) if (pr[j] > pr[best]) best = j;
                int n = features is null ? 0 : features.Length / b;
                results.Add(new Prediction(best, bundle.Classes, pr, meanLogit[(i * c)..((i + 1) * c)], stdProb[(i * c)..((i + 1) * c)])
                {
                    FeatureDistance = features is null ? double.NaN : bundle.FeatureDistance!.Distance(features.AsSpan(i * n, n)),
                });
            }
        }
        return results;
    }
}
