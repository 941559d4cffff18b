using System.Globalization;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Training;

/// <summary>How <see cref="LabColourFit"/> fits the input's colours to a lab from its unlabelled cells.</summary>
/// <param name="Steps">Adam steps.</param>
/// <param name="Batch">Unlabelled cells per step (each step: one random rotation or mirror image, random update masks).</param>
/// <param name="LearningRate">Adam's learning rate of the log gains and the offsets.</param>
/// <param name="Diversity">
/// Weight of the spread of the mean answer over the five main types (its Kullback–Leibler divergence from
/// <paramref name="Mix"/>, minimised; with an even mix, its entropy maximised): without it, the surest way to confident
/// answers is to call every cell one type.
/// </param>
/// <param name="Pull">L2 pull of the log gains and the offsets towards 0 (the colours as trained).</param>
/// <param name="Seed">Seed of the cells, views and update masks drawn.</param>
/// <param name="Mix">
/// The mix of main types the mean answer is spread towards; null: <see cref="TypeMix.Blood"/>, a healthy adult's
/// differential (a lab's smears are mostly neutrophils; on the shared sets it scores 10.4 and 4.3 points above an even mix,
/// mean of five models, and as well or better on their balanced parts).
/// </param>
public sealed record LabColourOptions(int Steps = 40, int Batch = 32, double LearningRate = 0.03, double Diversity = 1, double Pull = 0.1, long Seed = 1, TypeMix? Mix = null)
{
    /// <summary>The mix the mean answer is spread towards.</summary>
    public TypeMix TargetMix => Mix ?? TypeMix.Blood;

    /// <summary>Throws <see cref="ArgumentException"/> for values out of range.</summary>
    public LabColourOptions Validate()
    {
        if (Steps < 1) throw new ArgumentException($"steps must be ≥ 1 (got {Steps})");
        if (Batch < 1) throw new ArgumentException($"batch must be ≥ 1 (got {Batch})");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be > 0 (got {LearningRate})");
        if (!(Diversity >= 0)) throw new ArgumentException($"diversity must be ≥ 0 (got {Diversity})");
        if (!(Pull >= 0)) throw new ArgumentException($"pull must be ≥ 0 (got {Pull})");
        if (Mix is not null && (Mix.Shares.Count != CellClasses.CoarseOther || Mix.Shares.Any(v => !(v > 0)) || Math.Abs(Mix.Shares.Sum() - 1) > 1e-6))
            throw new ArgumentException($"the mix needs {CellClasses.CoarseOther} shares > 0 summing to 1 (got {Mix})");
        return this;
    }
}

/// <summary>What <see cref="LabColourFit.Run"/> found.</summary>
/// <param name="Normalization">The model's normalisation with the lab's gain and offset folded in.</param>
/// <param name="Gain">Gain per colour channel of the normalised input.</param>
/// <param name="Offset">Offset per colour channel of the normalised input (after the gain).</param>
/// <param name="Cells">Unlabelled cells it was fitted on.</param>
/// <param name="MixBefore">
/// The mean answer over the five main types (in <see cref="CellClasses.Coarse"/> order, summing to 1) on up to
/// <see cref="LabColourFit.ProbeCells"/> of the cells (spread over them, one view, fixed update masks), the colours as
/// trained: how the model spreads the lab's cells over the types.
/// </param>
/// <param name="MixAfter">The same with the fitted colours.</param>
/// <param name="Options">How it was fitted.</param>
public sealed record LabColourFitResult(Normalization Normalization, float[] Gain, float[] Offset, int Cells, double[] MixBefore, double[] MixAfter, LabColourOptions Options);

/// <summary>
/// Fits the input's colours to a new lab without a single label: a gain and an offset per colour channel of the
/// normalised input, learned through the trained model (automaton and head unchanged) so that its answers on the lab's
/// unlabelled cells become confident and their mean spread over the five main types as the expected mix (by default a
/// healthy blood smear's, <see cref="TypeMix.Blood"/>) — information maximisation (Krause, Perona and Gomes 2010; Liang et
/// al., SHOT, 2020) with the mean answer pulled towards a prior instead of an even spread, here with six parameters only, so it can move the lab's stain towards the one
/// the model learnt but cannot relearn the classes. The answers are the model's calibrated probabilities restricted to
/// the fine classes of the five main types and summed within each (a peripheral smear's cells). The result is folded into
/// the model's normalisation statistics (<see cref="Normalization.WithGainAndOffset"/>), so every path that reads the
/// model applies it with nothing new.
/// </summary>
public static class LabColourFit
{
    /// <summary>How many of the cells <see cref="LabColourFitResult.MixBefore"/> and <see cref="LabColourFitResult.MixAfter"/> are measured on.</summary>
    public const int ProbeCells = 128;

    /// <summary>Fits the colours on the cached unlabelled cells <paramref name="indices"/> (the model is not changed).</summary>
    /// <exception cref="WbcNcaException">Not a 13-class NCA with fixed normalisation statistics, or no cell.</exception>
    public static LabColourFitResult Run(ModelBundle bundle, ImageCache cache, IReadOnlyList<int> indices, LabColourOptions options, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        options.Validate();
        device ??= CPU;
        if (!bundle.IsNca) throw new WbcNcaException("only an NCA's colours can be fitted");
        if (bundle.Spec.NumClasses != CellClasses.FineCount) throw new WbcNcaException("fitting the colours to a lab needs a model of the 13 fine classes");
        if (bundle.Normalization.IsPerImage) throw new WbcNcaException($"fitting the colours needs a model normalised with fixed statistics (this one: {bundle.Normalization})");
        if (indices.Count == 0) throw new WbcNcaException("no unlabelled cell to fit the colours on");
        NcaClassifier model = bundle.Classifier;
        using var scope = NewDisposeScope();
        Tensor x = HeadAdaptation.Inputs(bundle, cache, indices, device);
        // The fine classes of the five main types, and which main type each belongs to.
        long[] kept = Enumerable.Range(0, CellClasses.FineCount).Where(f => CellClasses.CoarseOf(f) != CellClasses.CoarseOther).Select(f => (long)f).ToArray();
        Tensor keptIndex = tensor(kept).to(device);
        Tensor toTypes = tensor(CellClasses.Membership(), [CellClasses.CoarseCount, CellClasses.FineCount]).to(device)
            .index_select(1, keptIndex).narrow(0, 0, CellClasses.CoarseOther).t();                          // (kept fine, 5)
        float temperature = (float)bundle.Calibration.Temperature;
        Tensor Answers(Tensor logits) => nn.functional.softmax(logits.index_select(1, keptIndex) / temperature, 1).matmul(toTypes);   // (B, 5)
        static Tensor Entropy(Tensor p) => -(p * (p + 1e-9f).log()).sum(-1);
        Tensor logMix = tensor(options.TargetMix.Shares.Select(v => (float)Math.Log(v)).ToArray()).to(device);
        Tensor Divergence(Tensor mean) => (mean * ((mean + 1e-9f).log() - logMix)).sum();                // KL(mean answer ‖ mix)

        var colours = new ColourGain(device);
        using var optimizer = optim.Adam(colours.Parameters, options.LearningRate);
        using var generator = new Generator(unchecked((ulong)SeedMix.Derive(options.Seed, SeedMix.Masks, 0, 0)));
        var rng = new Runtime.SplitMix64(options.Seed);
        var classifier = new NcaCellClassifier(model, owns: false);
        int batch = Math.Min(options.Batch, indices.Count);
        using var frozen = new FrozenWeights(model.parameters());
        // Up to ProbeCells cells spread over the set, in their first view with update masks of their own (drawn from a
        // generator apart from the fit's): their mean answer is reported before and after.
        int probeCount = Math.Min(ProbeCells, indices.Count);
        Tensor probe = x.index_select(0, tensor(Enumerable.Range(0, probeCount).Select(i => (long)i * indices.Count / probeCount).ToArray()).to(device));
        using var probeGenerator = new Generator(unchecked((ulong)SeedMix.Derive(options.Seed, SeedMix.Masks, 1, 0)));
        Tensor? probeMasks = classifier.TrainingMasks(probeCount, probeGenerator, device);
        double[] ProbeMix()
        {
            using var _ = no_grad();
            using var probeScope = NewDisposeScope();
            return Answers(model.forward(colours.Apply(probe), probeMasks)).mean([0]).to_type(ScalarType.Float64).data<double>().ToArray();
        }
        double[] before, after;
        try
        {
            model.train();
            before = ProbeMix();
            for (int step = 0; step < options.Steps; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                Tensor rows = tensor(Enumerable.Range(0, batch).Select(_ => (long)rng.NextInt(indices.Count)).ToArray()).to(device);
                Tensor view = DihedralView.Apply(x.index_select(0, rows), rng.NextInt(DihedralView.Count));
                Tensor q = Answers(model.forward(colours.Apply(view), classifier.TrainingMasks(batch, generator, device)));
                Tensor loss = Entropy(q).mean() + options.Diversity * Divergence(q.mean([0])) + options.Pull * colours.Pull();
                loss.backward();
                optimizer.step();
            }
            after = ProbeMix();
        }
        finally
        {
            model.eval();
        }
        float[] gain = colours.Gain, shift = colours.Offset;
        return new LabColourFitResult(bundle.Normalization.WithGainAndOffset(gain, shift, ColourGain.Suffix), gain, shift, indices.Count, before, after, options);
    }

    /// <summary>The gain and offset in words: "gain 1.32/1.40/1.09, offset +0.08/−0.08/−0.02" (R/G/B).</summary>
    public static string Describe(LabColourFitResult fit) =>
        string.Create(CultureInfo.InvariantCulture, $"gain {string.Join("/", fit.Gain.Select(g => g.ToString("0.00", CultureInfo.InvariantCulture)))}, offset {string.Join("/", fit.Offset.Select(o => o.ToString("+0.00;-0.00", CultureInfo.InvariantCulture)))} (R/G/B, on the normalised input)");

    /// <summary>
    /// The provenance with the colour fit recorded (<c>adapted_lab_colours</c>, and the images it was fitted on,
    /// <c>adapted_lab_colours_on</c>), or without those entries when <paramref name="fit"/> is null. A labelled
    /// adaptation's entries (<c>adapted_on</c>, <c>adapted_cells</c>, …) are left as they are: an earlier head fitted on
    /// another lab's labels stays in the weights, and the record says so.
    /// </summary>
    public static Dictionary<string, string> WithProvenance(IReadOnlyDictionary<string, string> previous, LabColourFitResult? fit, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(previous);
        var p = previous.ToDictionary(kv => kv.Key, kv => kv.Value);
        p.Remove("adapted_lab_colours");
        p.Remove("adapted_lab_colours_on");
        if (fit is null) return p;
        p["adapted_lab_colours"] = string.Create(CultureInfo.InvariantCulture,
            $"{Describe(fit)}; fitted without labels on {fit.Cells} unlabelled cell(s), {fit.Options.Steps} steps of {fit.Options.Batch}, lr {fit.Options.LearningRate}, diversity {fit.Options.Diversity} towards mix {fit.Options.TargetMix}, pull {fit.Options.Pull}, seed {fit.Options.Seed}");
        if (source is not null) p["adapted_lab_colours_on"] = source;
        return p;
    }
}
