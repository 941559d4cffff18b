using TorchSharp;
using WbcNca.Checkpoints;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Explainability;

/// <summary>
/// Explains a model's decisions image by image: runs the NCA with the same seeded update masks as <see cref="Predictor"/>,
/// propagates the explained class's logit back to the pooled channels (<see cref="LrpEpsilon"/>), keeps the channel maps
/// (<see cref="ChannelMaps"/>), and scores where the most relevant channels look (<see cref="FocusScore"/> on a <see cref="CellMask"/>).
/// </summary>
public sealed class Explainer
{
    private readonly ModelBundle bundle;
    private readonly Device device;
    private readonly ImagePreprocessor preprocessor;
    private readonly HeadWeights head;

    /// <summary>Creates an explainer on <paramref name="device"/> (CPU when null); <paramref name="normalization"/> overrides the model's.</summary>
    public Explainer(ModelBundle bundle, Device? device = null, Normalization? normalization = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        this.bundle = bundle;
        this.device = device ?? CPU;
        bundle.Classifier.to(this.device);
        bundle.Classifier.eval();
        preprocessor = bundle.Preprocessor(normalization);
        head = HeadWeights.FromHead(bundle.Classifier.Head);
    }

    /// <summary>The model being explained.</summary>
    public ModelBundle Bundle => bundle;

    /// <summary>Decodes the image file at <paramref name="path"/> and explains it.</summary>
    /// <exception cref="ImageLoadException">The file is not a readable image.</exception>
    public Explanation Explain(string path, ExplainOptions options, PredictOptions run) =>
        Explain(ImageDecoder.Decode8(path, preprocessor.DecoderOptions), path, options, run);

    /// <summary>
    /// Explains a decoded image; <paramref name="source"/> names it in the results. For a field of several white cells
    /// the cell <see cref="ExplainOptions.Cell"/> is explained, framed as <c>predict</c> frames it.
    /// </summary>
    /// <exception cref="WbcNcaException">The image holds fewer white cells than <see cref="ExplainOptions.Cell"/> asks for (one line naming <paramref name="source"/> and <c>--cell</c>).</exception>
    public Explanation Explain(Rgb8Image image, string source, ExplainOptions options, PredictOptions run)
    {
        ArgumentNullException.ThrowIfNull(image);
        options.Validate(bundle.Config.NumClasses);
        run.Validate();
        NcaConfig config = bundle.Config;
        int s = config.ImageSize, n = config.Channels, classes = config.NumClasses;
        double p = run.UpdateProbability ?? config.UpdateProbability;
        int samples = p >= 1.0 ? 1 : run.Samples;
        int every = options.EvolutionEvery > 0 ? options.EvolutionEvery : Math.Max(config.Steps, 1);

        // Framed once: the input and the figure's view come from it.
        IReadOnlyList<(Rgb8Image View, CellLocation Location)> cells = preprocessor.CellViews(image, options.OneCell);
        if (options.Cell >= cells.Count)
            throw WbcNcaException.ForFile(source, $"--cell {(long)options.Cell + 1}: the image holds {(cells.Count == 1 ? "one white cell (give --cell 1, or leave --cell out)" : $"{cells.Count} white cells (give --cell 1 to {cells.Count})")}");
        var framed = cells[options.Cell];
        var pooled = new double[samples][];
        var logits = new float[samples][];
        ChannelMaps? maps = null;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var input = new float[preprocessor.OutputLength];
            preprocessor.Fill(framed, input);
            Tensor x = tensor(input, [1, 3, s, s]).to(device);
            for (int k = 0; k < samples; k++)
            {
                Tensor? masks = p >= 1.0 ? null : UpdateMask.Seeded(config.Steps, s, p, run.Seed + k, device);
                Tensor final;
                if (k == 0)
                {
                    var trajectory = bundle.Classifier.Backbone.Trajectory(x, masks, every);
                    final = trajectory[^1].State;
                    maps = ChannelMaps.FromStates(final, 0, options.EvolutionEvery > 0 ? trajectory : null);
                }
                else final = bundle.Classifier.Backbone.forward(run.Views ? DihedralView.Apply(x, k) : x, masks);   // view 0 is the image itself
                Tensor h = bundle.Classifier.Pool(final);                              // (1, n)
                Tensor l = bundle.Classifier.Head.forward(h);                          // (1, classes)
                pooled[k] = h.cpu().to(ScalarType.Float64).data<double>().ToArray();
                logits[k] = l.cpu().data<float>().ToArray();
            }
        }

        Prediction prediction = Summarise(logits, classes);
        int target = options.TargetClass ?? prediction.Index;
        var runs = pooled.Select(h => LrpEpsilon.Explain(head, h, target, options.Epsilon)).ToList();
        ChannelRelevance relevance = Mean(runs);
        var std = new double[n];
        if (samples > 1)
            for (int c = 0; c < n; c++)
            {
                double m = relevance.Relevance[c];
                std[c] = Math.Sqrt(runs.Sum(r => (r.Relevance[c] - m) * (r.Relevance[c] - m)) / samples);
            }
        int[] top = relevance.Top(Math.Min(options.Top, n));
        Rgb8Image view = framed.View;   // the framed cell the model saw (the image itself when not framed)
        Rgb8Image? original = ReferenceEquals(view, image) ? null : image;
        CellMask mask = CellMask.FromImage(view, s, options.Signal);
        FocusScore focus = FocusScore.Compute(maps!, relevance, top, mask);
        return new Explanation(source, view, prediction, relevance, std, maps!, top, mask, focus, samples)
        {
            Original = original,
            Cell = options.Cell,
            Cells = cells.Select(c => c.Location).ToArray(),
        };
    }

    /// <summary>Mean softmax probabilities, their standard deviation and the mean logits over the runs, as <see cref="Predictor"/> reports them.</summary>
    private Prediction Summarise(float[][] logits, int classes)
    {
        int samples = logits.Length;
        double t = bundle.Calibration.Temperature;
        var probs = logits.Select(l => Softmax(t == 1 ? l : l.Select(v => (float)(v / t)).ToArray())).ToArray();
        var mean = new float[classes];
        var std = new float[classes];
        var meanLogit = new float[classes];
        for (int c = 0; c < classes; c++)
        {
            double m = probs.Average(pr => (double)pr[c]);
            mean[c] = (float)m;
            std[c] = samples > 1 ? (float)Math.Sqrt(probs.Sum(pr => (pr[c] - m) * (pr[c] - m)) / samples) : 0f;
            meanLogit[c] = (float)logits.Average(l => (double)l[c]);
        }
        int best = 0;
        for (int c = 1; c < classes; c++) if (mean[c] > mean[best]) best = c;
        return new Prediction(best, bundle.Classes, mean, meanLogit, std);
    }

    private static float[] Softmax(float[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => (float)(v / sum)).ToArray();
    }

    private static ChannelRelevance Mean(IReadOnlyList<ChannelRelevance> runs)
    {
        if (runs.Count == 1) return runs[0];
        int n = runs[0].Relevance.Length, hidden = runs[0].HiddenRelevance.Length;
        var r = new double[n];
        var hr = new double[hidden];
        foreach (var run in runs)
        {
            for (int i = 0; i < n; i++) r[i] += run.Relevance[i] / runs.Count;
            for (int j = 0; j < hidden; j++) hr[j] += run.HiddenRelevance[j] / runs.Count;
        }
        return new ChannelRelevance(runs[0].TargetClass, runs[0].Epsilon, runs.Average(x => x.Logit), r, hr,
            runs.Average(x => x.OutputBiasShare), runs.Average(x => x.HiddenBiasShare), runs.Average(x => x.EpsilonShare));
    }
}
