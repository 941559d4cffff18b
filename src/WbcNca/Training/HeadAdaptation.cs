using System.Globalization;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Imaging;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Training;

/// <summary>What <see cref="HeadAdaptation.Run"/> did.</summary>
/// <param name="LossBefore">Training loss of the trained head on the labelled cells.</param>
/// <param name="LossAfter">Training loss after the refit (with the pull term).</param>
/// <param name="Pull">The pull used (given, or chosen by cross-validation).</param>
/// <param name="Calibration">Temperature fitted on the cross-validated views of the labelled cells.</param>
/// <param name="Decision">Review threshold chosen there (the other thresholds at their defaults).</param>
/// <param name="Normalization">
/// The model's normalisation with the lab's colour gain and offset folded in (<see cref="AdaptedParts.Colour"/>); null when
/// the colours were not tuned. The adapted model must carry it.
/// </param>
public sealed record HeadAdaptationResult(double LossBefore, double LossAfter, double Pull, Inference.Calibration Calibration, Inference.DecisionRule Decision,
    Normalization? Normalization = null);

/// <summary>How <see cref="HeadAdaptation"/> refits a model's classifier head on a few labelled cells of a new lab.</summary>
/// <param name="Epochs">Full-batch Adam steps.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Views">Views per cell: the 8 rotations by quarter turns and mirror images, each with its own update masks.</param>
/// <param name="WeightDecay">
/// L2 pull of the head's weights towards the trained model's (keeps what Acevedo-20 taught with few cells); null (the
/// default): chosen among <see cref="PullChoices"/> by cross-validation on the labelled cells themselves.
/// </param>
/// <param name="Seed">Seed of the masks and of the head's optimiser order.</param>
/// <param name="AnswerWithViews">
/// The adapted model answers with the mean of its <see cref="Views"/> views (<see cref="Averaging"/>), and its temperature
/// and review threshold are fitted on each cell's mean held-out answer; false: one run, fitted on single views.
/// </param>
/// <param name="Tune">
/// What is fitted. <see cref="AdaptedParts.Head"/>: the head alone. Otherwise, after the head's refit has chosen the pull
/// and the calibration, the refitted head is tuned further together with the input's colours
/// (<see cref="AdaptedParts.Colour"/>) or the cellular automaton's update rule and perception (<see cref="AdaptedParts.All"/>),
/// for <see cref="TuneSteps"/> Adam steps on every labelled cell in a random view with random update masks, everything
/// pulled towards its trained value (the head by the chosen pull, the automaton by <see cref="AutomatonPull"/>, the
/// colours by <see cref="ColourPull"/>).
/// </param>
/// <param name="TuneSteps">Adam steps of that tuning.</param>
/// <param name="AutomatonLearningRate">Its learning rate (of the head and the automaton).</param>
/// <param name="AutomatonPull">L2 pull of the automaton's weights towards the trained ones.</param>
/// <param name="ColourLearningRate">Learning rate of the colour gains (in log) and offsets.</param>
/// <param name="ColourPull">L2 pull of the log gains and the offsets towards 0 (the colours as trained).</param>
public sealed record AdaptOptions(int Epochs = 300, double LearningRate = 3e-3, int Views = 8, double? WeightDecay = null, long Seed = 1, bool AnswerWithViews = true,
    AdaptedParts Tune = AdaptedParts.Head, int TuneSteps = 60, double AutomatonLearningRate = 1e-3, double AutomatonPull = 1, double ColourLearningRate = 1e-2, double ColourPull = 1)
{
    /// <summary>How the adapted model answers: the mean of its views, or one run.</summary>
    public Inference.TestTimeAveraging Averaging => AnswerWithViews && Views > 1 ? new(Views, Views: true) : Inference.TestTimeAveraging.Single;

    /// <summary>
    /// The pulls cross-validation chooses from: a lab far from Acevedo-20 wants a loose pull (the trained head is of
    /// little use there), a near one a firm pull (a few cells should not undo what thousands taught).
    /// </summary>
    public static IReadOnlyList<double> PullChoices { get; } = [0.01, 0.1, 1, 10];

    /// <summary>Folds of the cross-validation that chooses the pull (cells, not views, are split; at most one fold per cell).</summary>
    public const int PullFolds = 5;

    /// <summary>Throws <see cref="ArgumentException"/> for values out of range.</summary>
    public AdaptOptions Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be ≥ 1 (got {Epochs})");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be > 0 (got {LearningRate})");
        if (Views < 1 || Views > 8) throw new ArgumentException($"views must be in 1..8 (got {Views})");
        if (WeightDecay is double w && !(w >= 0)) throw new ArgumentException($"weight decay must be ≥ 0 (got {w})");
        if (TuneSteps < 1) throw new ArgumentException($"tuning steps must be ≥ 1 (got {TuneSteps})");
        if (!(AutomatonLearningRate > 0)) throw new ArgumentException($"automaton learning rate must be > 0 (got {AutomatonLearningRate})");
        if (!(AutomatonPull >= 0)) throw new ArgumentException($"automaton pull must be ≥ 0 (got {AutomatonPull})");
        if (!(ColourLearningRate > 0)) throw new ArgumentException($"colour learning rate must be > 0 (got {ColourLearningRate})");
        if (!(ColourPull >= 0)) throw new ArgumentException($"colour pull must be ≥ 0 (got {ColourPull})");
        return this;
    }
}

/// <summary>
/// Adapts an NCA to a new lab from a few labelled cells: the backbone (the cellular automaton) stays as trained, and
/// only the two-layer classifier head is refitted on the pooled channel vectors of the new cells (each in
/// <see cref="AdaptOptions.Views"/> rotated and mirrored views with their own update masks), starting from the trained
/// head and pulled towards it. Cells labelled with the five main types are fitted through the sum of their fine
/// classes' probabilities (a neutrophil label is right when the model says banded or segmented), so the class list
/// stays the 13 fine classes. How firmly the head is pulled towards the trained one is chosen by cross-validation on the
/// labelled cells, whose held-out answers also refit the temperature and the review threshold. Tens of seconds on the
/// CPU for tens of cells. With <see cref="AdaptOptions.Tune"/> the input's colours or the automaton's rule are then tuned
/// together with the head (a few minutes).
/// </summary>
public static class HeadAdaptation
{
    /// <summary>
    /// Refits the head of <paramref name="bundle"/>'s NCA in place on the cached cells <paramref name="indices"/>; returns
    /// the training loss before and after and the pull used (<see cref="AdaptOptions.WeightDecay"/>, or the one
    /// cross-validation chose).
    /// </summary>
    /// <param name="bundle">The model (an NCA); its head is changed.</param>
    /// <param name="cache">Cells framed and colour-mapped as the model expects, labels at <paramref name="level"/>.</param>
    /// <param name="indices">Which cached cells to fit.</param>
    /// <param name="level">Label level of the cache (fine: the model's classes; coarse: the five main types).</param>
    /// <param name="options">Steps, rate, views, seed.</param>
    /// <param name="device">Compute device.</param>
    public static HeadAdaptationResult Run(ModelBundle bundle, ImageCache cache, IReadOnlyList<int> indices, LabelLevel level, AdaptOptions options, Device? device = null)
    {
        options.Validate();
        device ??= CPU;
        NcaClassifier model = bundle.Classifier;
        if (model.Config.NumClasses != CellClasses.FineCount && level == LabelLevel.Coarse)
            throw new WbcNcaException("adapting to cells labelled with the five main types needs a model of the 13 fine classes");
        if (indices.Count == 0) throw new WbcNcaException("no labelled cell to adapt to");
        if (options.Tune == AdaptedParts.Colour && bundle.Normalization.IsPerImage)
            throw new WbcNcaException($"tuning the colours needs a model normalised with fixed statistics (this one: {bundle.Normalization})");
        using var scope = NewDisposeScope();
        Tensor features = PooledViews(bundle, cache, indices, options, device);                     // (N·V, n)
        long[] labels = indices.SelectMany(i => Enumerable.Repeat((long)cache.Labels[i], options.Views)).ToArray();
        Tensor y = tensor(labels).to(device);
        Tensor? membership = level == LabelLevel.Coarse                                              // (coarse, fine) 0/1 for coarse labels
            ? tensor(CellClasses.Membership(), [CellClasses.CoarseCount, CellClasses.FineCount]).to(device)
            : null;
        ClassifierHead head = model.Head;
        var start = head.parameters().Select(p => p.detach().clone()).ToArray();
        void Reset()
        {
            using var _ = no_grad();
            foreach (var (p, s0) in head.parameters().Zip(start)) p.copy_(s0);
        }
        Tensor Loss(Tensor rows, double pull)
        {
            Tensor nll = LabelLoss(head.forward(features.index_select(0, rows)), y.index_select(0, rows), membership);
            if (pull == 0) return nll;
            return nll + pull * Tether(head.parameters(), start);
        }
        void Fit(Tensor rows, double pull)
        {
            Reset();
            head.train();
            using var optimizer = optim.Adam(head.parameters(), options.LearningRate);
            for (int step = 0; step < options.Epochs; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                Loss(rows, pull).backward();
                optimizer.step();
            }
            head.eval();
        }
        Tensor all = arange(labels.LongLength, dtype: int64, device: device);
        double before;
        using (no_grad()) before = Loss(all, 0).item<float>();
        int[] cellLabels = indices.Select(i => cache.Labels[i]).ToArray();   // one per cell (the rows above: one per view)
        int classes = model.Config.NumClasses;
        var (chosen, heldOut) = CrossValidate(cellLabels, classes, options.WeightDecay is double fixedPull ? [fixedPull] : AdaptOptions.PullChoices, options, device, Fit, rows =>
        {
            using var _ = no_grad();
            Tensor logits = head.forward(features.index_select(0, rows));
            return (Loss(rows, 0).item<float>(), nn.functional.softmax(logits, 1).cpu().data<float>().ToArray());
        });
        Fit(all, chosen);
        double after;
        using (no_grad()) after = Loss(all, chosen).item<float>();
        Normalization? colours = null;
        if (options.Tune != AdaptedParts.Head)
        {
            (after, colours) = Tune(model, bundle, cache, indices, tensor(cellLabels.Select(l => (long)l).ToArray()).to(device), membership, start, chosen, options, device);
        }
        var (calibration, decision) = Calibrate(heldOut, cellLabels, classes, level, options.Views, options.Averaging.Samples > 1);
        return new HeadAdaptationResult(before, after, chosen, calibration, decision, colours);
    }

    // Mean negative log-likelihood of the labels under (M, fine) logits: a fine label through its class, a main type's
    // label (membership: the (coarse, fine) 0/1 matrix) through the sum of its fine classes' probabilities.
    private static Tensor LabelLoss(Tensor logits, Tensor labels, Tensor? membership)
    {
        Tensor logp = nn.functional.log_softmax(logits, 1);
        return membership is null
            ? nn.functional.nll_loss(logp, labels)
            : -(logp.unsqueeze(1) + (membership.unsqueeze(0) + 1e-30f).log()).logsumexp(2).gather(1, labels.unsqueeze(1)).mean();
    }

    // Squared distance of weights from where they started (the pull towards the trained model).
    private static Tensor Tether(IEnumerable<Tensor> weights, Tensor[] start) => weights.Zip(start, (p, p0) => (p - p0).pow(2).sum()).Aggregate((a, b) => a + b);

    // The refitted head tuned on the labelled cells again (still pulled towards the trained one) together with the automaton or the input's
    // colours: per step every cell in one random view with its own random update masks, the loss of HeadAdaptation's fit
    // plus the pulls towards the trained weights. Returns the last step's loss of the labels and, when the colours were
    // tuned, the normalisation with their gain and offset folded in.
    private static (double Loss, Normalization? Colours) Tune(NcaClassifier model, ModelBundle bundle, ImageCache cache, IReadOnlyList<int> indices, Tensor labels, Tensor? membership,
        Tensor[] headStart, double headPull, AdaptOptions options, Device device)
    {
        using var scope = NewDisposeScope();
        Tensor x = Inputs(bundle, cache, indices, device);
        bool colour = options.Tune == AdaptedParts.Colour;
        var backbone = model.Backbone.parameters().ToArray();
        var backboneStart = backbone.Select(p => p.detach().clone()).ToArray();
        var head = model.Head.parameters().ToArray();
        // Colour only: the input's colour gain and offset (the automaton's rule fixed meanwhile).
        ColourGain? colours = colour ? new ColourGain(device) : null;
        using var optimizer = optim.Adam(colour ? head : backbone.Concat(head), options.AutomatonLearningRate);
        using var colourOptimizer = colours is null ? null : optim.Adam(colours.Parameters, options.ColourLearningRate);
        using var generator = new Generator(unchecked((ulong)SeedMix.Derive(options.Seed, SeedMix.Masks, 0, 0)));
        var views = new Runtime.SplitMix64(options.Seed);
        var classifier = new NcaCellClassifier(model, owns: false);
        double last = double.NaN;
        using var frozen = colour ? new FrozenWeights(backbone) : null;
        try
        {
            model.train();
            for (int step = 0; step < options.TuneSteps; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                colourOptimizer?.zero_grad();
                Tensor view = Imaging.DihedralView.Apply(x, views.NextInt(Imaging.DihedralView.Count));
                if (colours is not null) view = colours.Apply(view);
                Tensor nll = LabelLoss(model.forward(view, classifier.TrainingMasks(indices.Count, generator, device)), labels, membership);
                Tensor tether = Tether(head, headStart) * headPull + (colours is not null
                    ? colours.Pull() * options.ColourPull
                    : Tether(backbone, backboneStart) * options.AutomatonPull);
                (nll + tether).backward();
                optimizer.step();
                colourOptimizer?.step();
                last = nll.item<float>();
            }
        }
        finally
        {
            model.eval();
        }
        return (last, colours is null ? null : bundle.Normalization.WithGainAndOffset(colours.Gain, colours.Offset, LabColours));
    }

    /// <summary>Suffix of the name of a normalisation whose colours were tuned to a lab (<see cref="AdaptedParts.Colour"/>).</summary>
    public const string LabColours = ColourGain.Suffix;

    // Temperature and review threshold from the held-out views of cross-validation (each labelled cell scored by a head
    // that did not see it): T minimises the held-out loss of the labels (a main type's label through the sum of its fine
    // classes), and the review threshold answers 90 % of the held-out answers, as training chooses it on validation. With
    // averaged answers, a cell's answer is the mean of its views' tempered probabilities, as the adapted model answers.
    private static (Inference.Calibration, Inference.DecisionRule) Calibrate(List<(int Cell, float[] Probabilities)> heldOut, int[] cellLabels, int fine, LabelLevel level,
        int views, bool averaged)
    {
        if (heldOut.Count == 0) return (Inference.Calibration.None, Inference.DecisionRule.Default);
        bool coarse = level == LabelLevel.Coarse;
        int groups = coarse ? CellClasses.CoarseCount : fine;
        // The held-out answers as runs of (answers × fine) probabilities: one run of every held-out view, or with averaged
        // answers one run per view, each holding every cell's view of that number (cross-validation keeps a cell's views together, in order).
        var byCell = heldOut.GroupBy(h => h.Cell).ToArray();
        List<float[]> runs = averaged
            ? Enumerable.Range(0, views).Select(v => byCell.SelectMany(g => g.ElementAt(v).Probabilities).ToArray()).ToList()
            : [heldOut.SelectMany(h => h.Probabilities).ToArray()];
        int[] labels = averaged ? byCell.Select(g => cellLabels[g.Key]).ToArray() : heldOut.Select(h => cellLabels[h.Cell]).ToArray();
        int answers = labels.Length;
        float[] Answers(Inference.Calibration calibration) => calibration.ApplyAveraged(runs, fine);
        float[] Grouped(float[] p)
        {
            if (!coarse) return p;
            var g = new float[answers * groups];
            for (int i = 0; i < answers; i++)
                for (int f = 0; f < fine; f++) g[i * groups + CellClasses.CoarseOf(f)] += p[i * fine + f];
            return g;
        }
        double Nll(double t)
        {
            float[] g = Grouped(Answers(new Inference.Calibration(t)));
            double sum = 0;
            for (int i = 0; i < answers; i++) sum -= Math.Log(Math.Max(g[i * groups + labels[i]], 1e-12));
            return sum / answers;
        }
        double temperature = Inference.Calibration.MinimizeTemperature(Nll);
        float[] untempered = Answers(Inference.Calibration.None), tempered = Answers(new Inference.Calibration(temperature));
        string what = averaged ? "cross-validated answers (the mean of each cell's views)" : "cross-validated views";
        var calibration = new Inference.Calibration(temperature,
            string.Create(CultureInfo.InvariantCulture, $"{what} of the {cellLabels.Length} labelled cells ({(coarse ? "five main types" : "fine classes")})"),
            averaged ? answers : answers / Math.Max(1, views),
            Inference.Calibration.ExpectedCalibrationError(Grouped(untempered), labels, groups),
            Inference.Calibration.ExpectedCalibrationError(Grouped(tempered), labels, groups));
        float[] top = Enumerable.Range(0, answers).Select(i => tempered.AsSpan(i * fine, fine).ToArray().Max()).ToArray();
        Inference.DecisionRule decision = Inference.DecisionRule.ChooseOnValidation(top);
        // The spread rule on the same answers: per cell, how much its views' tempered probabilities of its top class differ.
        if (averaged) decision = decision.WithSpreadChosenOn(Inference.DecisionRule.TopClassSpreads(runs.Select(r => new Inference.Calibration(temperature).Apply(r, fine)).ToList(), fine));
        return (calibration, decision with
        {
            ChosenOn = string.Create(CultureInfo.InvariantCulture, $"{what} of the {cellLabels.Length} labelled cells ({top.Length} answers, {Inference.DecisionRule.ValidationCoverage:P0} answered)"),
        });
    }

    // The pull whose heads, fitted on all but one fold of the labelled cells, give the smallest loss on that fold's cells
    // (mean over folds; the cells of each label are dealt to the folds in turn, so every fold holds each label where it
    // can), with the held-out probabilities of every view under that pull.
    private static (double Pull, List<(int Cell, float[] Probabilities)> HeldOut) CrossValidate(int[] cellLabels, int classes, IReadOnlyList<double> pulls, AdaptOptions options, Device device,
        Action<Tensor, double> fit, Func<Tensor, (double Loss, float[] Probabilities)> score)
    {
        int folds = Math.Min(AdaptOptions.PullFolds, cellLabels.Length);
        if (folds < 2) return (pulls[0], []);
        var fold = new int[cellLabels.Length];
        var dealt = new Dictionary<int, int>();
        for (int i = 0; i < cellLabels.Length; i++)
        {
            int n = dealt.GetValueOrDefault(cellLabels[i]);
            fold[i] = (n + cellLabels[i]) % folds;
            dealt[cellLabels[i]] = n + 1;
        }
        int[] Cells(Func<int, bool> take) => Enumerable.Range(0, cellLabels.Length).Where(take).ToArray();
        var splits = Enumerable.Range(0, folds).Select(f => (Train: Cells(c => fold[c] != f), Test: Cells(c => fold[c] == f)))
            .Where(s => s.Train.Length > 0 && s.Test.Length > 0).ToArray();
        Tensor Rows(int[] cells) => tensor(cells.SelectMany(c => Enumerable.Range(c * options.Views, options.Views)).Select(r => (long)r).ToArray()).to(device);
        double best = pulls[0], bestLoss = double.PositiveInfinity;
        List<(int, float[])> bestHeldOut = [];
        foreach (double pull in pulls)
        {
            double total = 0;
            var heldOut = new List<(int, float[])>();
            foreach (var (train, test) in splits)
            {
                using var scope = NewDisposeScope();
                fit(Rows(train), pull);
                var (loss, probabilities) = score(Rows(test));
                total += loss;
                for (int r = 0; r < test.Length * options.Views; r++) heldOut.Add((test[r / options.Views], probabilities.AsSpan(r * classes, classes).ToArray()));
            }
            if (splits.Length > 0 && total / splits.Length < bestLoss) (best, bestLoss, bestHeldOut) = (pull, total / splits.Length, heldOut);
        }
        return (best, bestHeldOut);
    }

    /// <summary>
    /// Moves an adapted model's answers to a lab's mix of cell types (<see cref="LabelShift"/>), estimated from its answers
    /// on the lab's unlabelled cells: the log-ratio of the lab's to the fitted mix, times the temperature, is added to the
    /// output bias of each class of a group (a main type for cells labelled with the five main types, else the class).
    /// The answers are the model's own (its averaging and calibration).
    /// </summary>
    /// <param name="bundle">The adapted model; its head's output bias is changed.</param>
    /// <param name="cache">The lab's unlabelled cells, framed and colour-mapped as the model expects.</param>
    /// <param name="indices">Which cached cells.</param>
    /// <param name="level">Level of the labels the head was adapted on (coarse: groups are the main types).</param>
    /// <param name="fittedLabels">Labels of the cells the head was fitted on (their mix is the fitted mix).</param>
    /// <param name="device">Compute device.</param>
    public static LabelShift ShiftToLab(ModelBundle bundle, ImageCache cache, IReadOnlyList<int> indices, LabelLevel level, IReadOnlyList<int> fittedLabels, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(fittedLabels);
        if (indices.Count == 0) throw new WbcNcaException("no unlabelled cell to estimate the lab's mix from");
        device ??= CPU;
        int fine = bundle.Spec.NumClasses;
        bool coarse = level == LabelLevel.Coarse;
        int groups = coarse ? CellClasses.CoarseCount : fine;
        Func<int, int> groupOf = coarse ? CellClasses.CoarseOf : j => j;
        float[] answers = bundle.Calibration.ApplyAveraged(Evaluator.RunProbabilities(bundle, bundle.Averaging, cache, indices, bundle.Normalization, 0, device), fine);
        var grouped = new float[indices.Count * groups];
        for (int i = 0; i < indices.Count; i++)
            for (int j = 0; j < fine; j++) grouped[i * groups + groupOf(j)] += answers[i * fine + j];
        var fitted = new double[groups];
        foreach (int label in fittedLabels) fitted[label]++;
        LabelShift shift = LabelShift.Estimate(grouped, fitted);
        double[] logWeights = shift.LogWeights();
        float[] bias = Enumerable.Range(0, fine).Select(j => (float)(bundle.Calibration.Temperature * logWeights[groupOf(j)])).ToArray();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            Tensor b = bundle.Classifier.Head.Output.bias!;
            b.add_(tensor(bias).to(b.device));
        }
        return shift;
    }

    // The cached cells as the model's input: (N, 3, S, S), normalised with the model's statistics, on the device.
    internal static Tensor Inputs(ModelBundle bundle, ImageCache cache, IReadOnlyList<int> indices, Device device) =>
        bundle.Normalization.ApplyTo(tensor(cache.Gather(indices), [indices.Count, 3, cache.Size, cache.Size])).to(device);

    /// <summary>The pooled channel vectors of every cell in every view, (cells · views, n), computed once.</summary>
    private static Tensor PooledViews(ModelBundle bundle, ImageCache cache, IReadOnlyList<int> indices, AdaptOptions options, Device device)
    {
        NcaClassifier model = bundle.Classifier;
        int s = cache.Size;
        using var _ = no_grad();
        Tensor x = Inputs(bundle, cache, indices, device);
        var rows = new Tensor[indices.Count * options.Views];
        var views = new List<Tensor>(options.Views);
        for (int v = 0; v < options.Views; v++)
        {
            Tensor view = Imaging.DihedralView.Apply(x, v);
            Tensor? masks = model.Config.UpdateProbability >= 1 ? null : UpdateMask.Seeded(model.Config.Steps, s, model.Config.UpdateProbability, options.Seed + v, device);
            views.Add(model.Pool(model.Backbone.forward(view, masks)));                             // (N, n)
        }
        // Rows ordered cell-major (cell i's views together), as the labels are.
        return stack(views, 1).reshape(indices.Count * options.Views, -1).MoveToOuterDisposeScope();
    }

    /// <summary>The provenance with the lab's mix a <see cref="ShiftToLab"/> moved the answers to.</summary>
    public static Dictionary<string, string> WithLabMix(IReadOnlyDictionary<string, string> previous, LabelShift shift, IReadOnlyList<string> groups)
    {
        ArgumentNullException.ThrowIfNull(shift);
        var p = previous.ToDictionary(kv => kv.Key, kv => kv.Value);
        p["adapted_lab_mix"] = DescribeMix(shift.Estimated, groups);
        p["adapted_unlabelled_cells"] = shift.Cells.ToString(CultureInfo.InvariantCulture);
        return p;
    }

    /// <summary>A mix in words: "neutrophil 58.2 %, lymphocyte 17.5 %, …", largest first, groups without a share left out.</summary>
    public static string DescribeMix(IReadOnlyList<double> mix, IReadOnlyList<string> groups) =>
        string.Join(", ", mix.Select((v, c) => (v, c)).Where(t => t.v > 0).OrderByDescending(t => t.v)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{groups[t.c]} {t.v * 100:0.0} %")));

    /// <summary>The provenance entries that record an adaptation.</summary>
    /// <param name="previous">The model's provenance before.</param>
    /// <param name="data">Where the labelled cells came from.</param>
    /// <param name="cells">How many were fitted.</param>
    /// <param name="options">How.</param>
    /// <param name="pull">The pull used.</param>
    /// <param name="labRedCell">The lab's red-cell colour now stored in the model's preprocessing (null: none).</param>
    public static Dictionary<string, string> Provenance(IReadOnlyDictionary<string, string> previous, string data, int cells, AdaptOptions options, double pull, IReadOnlyList<float>? labRedCell = null)
    {
        var p = previous.ToDictionary(kv => kv.Key, kv => kv.Value);
        p["adapted_on"] = data;
        p.Remove("adapted_lab_mix");            // an earlier adaptation's (WithLabMix adds this one's)
        p.Remove("adapted_unlabelled_cells");
        p["adapted_cells"] = cells.ToString(CultureInfo.InvariantCulture);
        p["adapted_parts"] = options.Tune.Describe() + (labRedCell is null ? "" : ", lab red-cell colour");
        if (options.Tune == AdaptedParts.All)
            p["adapted_automaton"] = string.Create(CultureInfo.InvariantCulture, $"{options.TuneSteps} steps, lr {options.AutomatonLearningRate}, pull {options.AutomatonPull}");
        else p.Remove("adapted_automaton");
        if (options.Tune == AdaptedParts.Colour)
            p["adapted_colours"] = string.Create(CultureInfo.InvariantCulture, $"{options.TuneSteps} steps, lr {options.ColourLearningRate}, pull {options.ColourPull}");
        else p.Remove("adapted_colours");
        if (labRedCell is not null) p["adapted_lab_red_cell"] = string.Join(",", labRedCell.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture)));
        else p.Remove("adapted_lab_red_cell");
        p["adapted_seed"] = options.Seed.ToString(CultureInfo.InvariantCulture);
        p["adapted_steps"] = options.Epochs.ToString(CultureInfo.InvariantCulture);
        p["adapted_pull"] = pull.ToString(CultureInfo.InvariantCulture) + (options.WeightDecay is null ? " (cross-validated)" : "");
        p["adapted_answers"] = options.Averaging.ToString();
        return p;
    }
}
