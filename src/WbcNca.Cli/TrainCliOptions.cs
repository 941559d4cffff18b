using System.CommandLine;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Model;
using WbcNca.Training;

namespace WbcNca.Cli;

/// <summary>The options of <c>train</c> (shared with <c>experiment</c>): data, architecture and model size, optimiser, split, augmentation, output.</summary>
public sealed class TrainCliOptions
{
    /// <summary><c>--dataset</c>.</summary>
    public Option<string> Dataset { get; } = new("--dataset") { Description = $"Dataset layout: {string.Join(", ", DatasetReader.Kinds)}", DefaultValueFactory = _ => "acevedo20" };
    /// <summary><c>--data</c>.</summary>
    public Option<string?> Data { get; } = new("--data") { Description = "Dataset folder (labelled: its layout is --dataset); not needed with --resume, which reads it from the run folder" };
    /// <summary><c>--out</c>.</summary>
    public Option<string> Out { get; } = CommonOptions.Out("Run folder", "best and last model, checkpoint, metrics, curves");
    /// <summary><c>--arch</c>.</summary>
    public Option<string> Arch { get; } = new("--arch")
    {
        Description = "Model family: nca (the paper's NCA), resnext50 (ResNeXt-50 32×4d, from scratch), resnet18 (from scratch) or aecfe (autoencoder on all domains + random forest); --preset/--channels/--hidden/--steps apply to nca only",
        DefaultValueFactory = _ => "nca",
    };
    /// <summary><c>--ae-domain</c>.</summary>
    public Option<string[]> AeDomains { get; } = new("--ae-domain")
    {
        Description = "With --arch aecfe: another domain's images for the autoencoder (labels unused), as KIND:PATH; repeatable (experiment adds its --eval sets)",
        AllowMultipleArgumentsPerToken = false,
    };
    /// <summary><c>--preset</c>.</summary>
    public Option<string> Preset { get; } = new("--preset") { Description = "Model size: wide (n=32, hidden 128, 32 steps, 32×32; the shipped model's), compact (as wide with hidden 64) or paper (n=128, hidden 128, 64 steps, 64×64)", DefaultValueFactory = _ => NcaConfig.DefaultPreset };
    /// <summary><c>--channels</c>.</summary>
    public Option<int?> Channels { get; } = new("--channels") { Description = "Override n, the state channels" };
    /// <summary><c>--hidden</c>.</summary>
    public Option<int?> Hidden { get; } = new("--hidden") { Description = "Override the update rule's hidden width" };
    /// <summary><c>--steps</c>.</summary>
    public Option<int?> Steps { get; } = new("--steps") { Description = "Override k, the NCA steps" };
    /// <summary><c>--image-size</c>.</summary>
    public Option<int?> ImageSize { get; } = new("--image-size") { Description = "Override the input image side [default: the preset's; 64 for the baselines]" };
    /// <summary><c>--epochs</c>.</summary>
    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Epochs [default: the preset's recipe, see 'wbc-nca info --preset P']" };
    /// <summary><c>--epoch-size</c>.</summary>
    public Option<int?> EpochSize { get; } = new("--epoch-size") { Description = "Class-balanced draws per epoch (0 = the size of the training part) [default: the preset's recipe, see 'wbc-nca info --preset P']" };
    /// <summary><c>--batch-size</c>.</summary>
    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Images per optimiser step [default: the preset's recipe, see 'wbc-nca info --preset P']" };
    /// <summary><c>--lr</c>.</summary>
    public Option<double?> LearningRate { get; } = new("--lr") { Description = "Adam learning rate [default: the preset's recipe, see 'wbc-nca info --preset P']" };
    /// <summary><c>--lr-schedule</c>.</summary>
    public Option<string?> LrSchedule { get; } = new("--lr-schedule")
    {
        Description = "Learning-rate schedule: exp (times --decay every batch) or cosine (from --lr down to --final-lr-fraction of it at the run's last batch) [default: the preset's recipe, see 'wbc-nca info --preset P']",
    };
    /// <summary><c>--decay</c>.</summary>
    public Option<string?> Decay { get; } = new("--decay")
    {
        Description = "With --lr-schedule exp: the learning-rate factor per batch (0.9999 is the paper's), or auto: the factor that ends the run at --final-lr-fraction of --lr over epochs × batches per epoch (then --epochs cannot change on --resume) [default: the preset's recipe, see 'wbc-nca info --preset P']",
    };
    /// <summary><c>--final-lr-fraction</c>.</summary>
    public Option<double?> FinalLrFraction { get; } = new("--final-lr-fraction") { Description = "With --decay auto or --lr-schedule cosine: the last batch's rate as a share of --lr [default: the preset's recipe, see 'wbc-nca info --preset P']" };
    /// <summary><c>--warmup</c>.</summary>
    public Option<int?> Warmup { get; } = new("--warmup") { Description = "Batches of linear warm-up (lr/N, 2·lr/N, …, lr) before the schedule (0 = none) [default: the preset's recipe, see 'wbc-nca info --preset P']" };
    /// <summary><c>--loss</c>.</summary>
    public Option<string> Loss { get; } = new("--loss") { Description = "Loss: ce (softmax cross-entropy) or bce (the reference's sigmoid + binary cross-entropy)", DefaultValueFactory = _ => "ce" };
    /// <summary><c>--seed</c>.</summary>
    public Option<long> Seed { get; } = new("--seed") { Description = "Seed of the weights, sampling, augmentation and update masks", DefaultValueFactory = _ => 1 };
    /// <summary><c>--folds</c>.</summary>
    public Option<int> Folds { get; } = CommonOptions.Folds();
    /// <summary><c>--fold</c>.</summary>
    public Option<int> Fold { get; } = new("--fold") { Description = "Test fold, 0-based", DefaultValueFactory = _ => 0 };
    /// <summary><c>--split-seed</c>.</summary>
    public Option<int> SplitSeed { get; } = CommonOptions.SplitSeed();
    /// <summary><c>--validation-fraction</c>.</summary>
    public Option<double> ValidationFraction { get; } = new("--validation-fraction") { Description = "Share of the training folds held out for model selection", DefaultValueFactory = _ => 0.1 };
    /// <summary><c>--normalization</c>.</summary>
    public Option<string?> Normalization { get; } = new("--normalization") { Description = $"Input normalisation: {string.Join(", ", Imaging.Normalization.KnownNames)} (image = per image) or a statistics file from 'wbc-nca stats' [default: the preset's recipe, see 'wbc-nca info --preset P']" };
    /// <summary><c>--no-rotate</c>.</summary>
    public Option<bool> NoRotate { get; } = new("--no-rotate") { Description = "Do not rotate training images" };
    /// <summary><c>--no-flip</c>.</summary>
    public Option<bool> NoFlip { get; } = new("--no-flip") { Description = "Do not flip training images" };
    /// <summary><c>--stain-augment</c>.</summary>
    public Option<bool> StainAugment { get; } = new("--stain-augment") { Description = "Colour/stain augmentation preset (brightness 0.25, contrast 0.25, saturation 0.3, hue 0.05, HED 0.05)" };
    /// <summary><c>--brightness</c>.</summary>
    public Option<double?> Brightness { get; } = new("--brightness") { Description = "Brightness jitter strength" };
    /// <summary><c>--contrast</c>.</summary>
    public Option<double?> Contrast { get; } = new("--contrast") { Description = "Contrast jitter strength" };
    /// <summary><c>--saturation</c>.</summary>
    public Option<double?> Saturation { get; } = new("--saturation") { Description = "Saturation jitter strength" };
    /// <summary><c>--hue</c>.</summary>
    public Option<double?> Hue { get; } = new("--hue") { Description = "Hue jitter strength (turns)" };
    /// <summary><c>--hed</c>.</summary>
    public Option<double?> Hed { get; } = new("--hed") { Description = "HED stain jitter strength" };
    /// <summary><c>--zoom</c>.</summary>
    public Option<double?> Zoom { get; } = new("--zoom") { Description = "Scale augmentation: magnify each training image by a factor log-uniform in [1, Z] (e.g. 2.5; 1 = off) so the model sees cells at the sizes other microscopes give" };
    /// <summary><c>--color-mix</c>.</summary>
    public Option<double?> ColorMix { get; } = new("--color-mix") { Description = "Random colour mixing strength m: each training image through a random 3×3 colour matrix I + U(−m, m) and offset (e.g. 0.3)" };
    /// <summary><c>--tight-crop</c>.</summary>
    public Option<double?> TightCrop { get; } = new("--tight-crop") { Description = "Probability that a training image is cut down as another lab's tight crop (a centred square of 55–95 % of its side kept, the rest background colour), e.g. 0.5" };
    /// <summary><c>--framing</c>.</summary>
    public Option<string?> Framing { get; } = new("--framing")
    {
        Description = "Input framing: whole (the whole image, as the paper), nucleus[:F] (a square of F nucleus extents around the located cell; F = 2.4 when left out) or cell[:R] (R red-cell diameters, R = 3.5 when left out; the nucleus rule without red cells) [default: the preset's recipe, see 'wbc-nca info --preset P']",
    };
    /// <summary><c>--colour</c>.</summary>
    public Option<string?> Colour { get; } = new("--colour", "--color")
    {
        Description = "Colour mapping: rgb (as decoded), anchors (this image's background and nucleus colours mapped to Acevedo-20's, channel by channel) or stains (background, nucleus and red cells mapped to Acevedo-20's in optical density, keeping each colour's mix of the two dyes) [default: the preset's recipe, see 'wbc-nca info --preset P']",
    };
    /// <summary><c>--limit-per-class</c>.</summary>
    public Option<int> LimitPerClass { get; } = CommonOptions.LimitPerClass();
    /// <summary><c>--resume</c>.</summary>
    public Option<bool> Resume { get; } = new("--resume") { Description = "Continue the run in --out from its last completed epoch" };
    /// <summary><c>--device</c>.</summary>
    public Option<string> Device { get; } = CommonOptions.Device();
    /// <summary><c>--threads</c>.</summary>
    public Option<int?> Threads { get; } = CommonOptions.Threads();
    /// <summary><c>--engine</c>.</summary>
    public Option<string> Engine { get; } = CommonOptions.Engine();

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in All) command.Options.Add(option);
        Loss.AcceptOnlyFromAmong("ce", "bce");
        LrSchedule.AcceptOnlyFromAmong("exp", "cosine");
        Arch.AcceptOnlyFromAmong([.. ModelSpec.ArchNames]);
    }

    /// <summary>
    /// Reads the parsed values into a <see cref="Runs.TrainingRun"/>; bad values are <see cref="WbcNcaException"/>s.
    /// <paramref name="arch"/> and <paramref name="data"/> (an experiment grid's architecture and training set) replace
    /// --arch and --dataset/--data; with <paramref name="arch"/> given, --channels/--hidden/--steps apply to nca only.
    /// </summary>
    public Runs.TrainingRun Read(ParseResult parse, string? arch = null, (string Kind, string Path)? data = null)
    {
        if (parse.GetValue(Data) is null && data is null)
        {
            if (parse.GetValue(Resume)) return FromRunFolder(parse);
            throw new UsageException("missing option --data (or --resume to continue the run in --out from its folder); see 'wbc-nca train --help'");
        }
        CheckRanges(parse);
        try
        {
            bool gridArch = arch is not null;
            arch ??= parse.GetValue(Arch)!;
            ModelSpec spec;
            if (arch == ModelSpec.NcaArch)
            {
                NcaConfig config = NcaConfig.FromPreset(parse.GetValue(Preset)!);
                if (parse.GetValue(Channels) is int n) config = config with { Channels = n };
                if (parse.GetValue(Hidden) is int h) config = config with { HiddenSize = h };
                if (parse.GetValue(Steps) is int k) config = config with { Steps = k };
                if (parse.GetValue(ImageSize) is int s) config = config with { ImageSize = s };
                spec = ModelSpec.ForNca(config);
            }
            else
            {
                foreach (var (option, value) in new (Option Option, int? Value)[] { (Channels, parse.GetValue(Channels)), (Hidden, parse.GetValue(Hidden)), (Steps, parse.GetValue(Steps)) })
                    if (value is not null && !gridArch) throw new WbcNcaException($"{option.Name}: applies to --arch nca only (got --arch {arch})");
                spec = ModelSpec.Default(arch);
                if (parse.GetValue(ImageSize) is int s) spec = spec.WithImageSize(s);
            }
            spec.Validate();
            string[] aeDomains = parse.GetValue(AeDomains) ?? [];
            if (aeDomains.Length > 0 && arch != ModelSpec.AeCfeArch)
            {
                if (!gridArch) throw new WbcNcaException($"--ae-domain: applies to --arch aecfe only (got --arch {arch})");
                aeDomains = [];
            }
            foreach (string domain in aeDomains) _ = Runs.TrainingRun.ParseDomain(domain, "--ae-domain");
            TrainOptions recipe = TrainingRecipe.For(parse.GetValue(Preset)!).Options;
            AugmentationOptions aug = parse.GetValue(StainAugment) ? AugmentationOptions.Stain with { Rotate = recipe.Augment.Rotate, Flip = recipe.Augment.Flip } : recipe.Augment;
            aug = aug with
            {
                Rotate = aug.Rotate && !parse.GetValue(NoRotate),
                Flip = aug.Flip && !parse.GetValue(NoFlip),
                Brightness = parse.GetValue(Brightness) ?? aug.Brightness,
                Contrast = parse.GetValue(Contrast) ?? aug.Contrast,
                Saturation = parse.GetValue(Saturation) ?? aug.Saturation,
                Hue = parse.GetValue(Hue) ?? aug.Hue,
                Hed = parse.GetValue(Hed) ?? aug.Hed,
                Zoom = parse.GetValue(Zoom) ?? aug.Zoom,
                ColorMix = parse.GetValue(ColorMix) ?? aug.ColorMix,
                TightCrop = parse.GetValue(TightCrop) ?? aug.TightCrop,
            };
            Imaging.Preprocessing input = recipe.InputPreprocessing;
            if (parse.GetValue(Framing) is string framing) input = Named(Framing, () => input.WithFraming(framing));
            if (parse.GetValue(Colour) is string colour) input = Named(Colour, () => input.WithColor(colour));
            string normalization = parse.GetValue(Normalization) is string norm ? Named(Normalization, () => Imaging.Normalization.Parse(norm).Name) : recipe.Normalization;
            var options = ReadSchedule(parse, recipe with
            {
                Epochs = parse.GetValue(Epochs) ?? recipe.Epochs,
                BatchSize = parse.GetValue(BatchSize) ?? recipe.BatchSize,
                LearningRate = parse.GetValue(LearningRate) ?? recipe.LearningRate,
                Loss = parse.GetValue(Loss) == "bce" ? LossKind.BinaryCrossEntropy : LossKind.CrossEntropy,
                EpochSize = parse.GetValue(EpochSize) ?? recipe.EpochSize,
                Seed = parse.GetValue(Seed),
                Folds = parse.GetValue(Folds),
                Fold = parse.GetValue(Fold),
                SplitSeed = parse.GetValue(SplitSeed),
                ValidationFraction = parse.GetValue(ValidationFraction),
                Normalization = normalization,
                Augmentation = aug,
                Input = input == Imaging.Preprocessing.Default ? null : input,
            }).Validate();
            int threads = parse.GetValue(Threads) ?? Environment.ProcessorCount;
            var (kind, path) = data ?? (parse.GetValue(Dataset)!, parse.GetValue(Data)!);
            return new Runs.TrainingRun(kind, path, spec, options, parse.GetValue(Out)!, parse.GetValue(Resume), parse.GetValue(LimitPerClass), threads)
            {
                AeDomains = aeDomains,
                Engine = parse.GetValue(Engine) == "torch" ? Engines.NcaEngine.Torch : Engines.NcaEngine.Fused,
            };
        }
        catch (ArgumentException e)
        {
            throw new WbcNcaException(e.Message);
        }
    }

    /// <summary>
    /// <c>train --out RUN --resume</c> alone: the data, model and options come from the run folder's config.json; only
    /// --epochs (more epochs), --threads, --device and --engine may be given, any other option is named as an error.
    /// </summary>
    private Runs.TrainingRun FromRunFolder(ParseResult parse)
    {
        string outPath = parse.GetValue(Out)!;
        string configPath = Path.Combine(outPath, "config.json");
        if (!File.Exists(configPath))
            throw WbcNcaException.ForFile(outPath, "no run to resume here (config.json is missing); give --data and the options to start one");
        var allowed = new HashSet<Option>([Out, Resume, Epochs, Threads, Device, Engine]);
        foreach (Option option in parse.CommandResult.Command.Options)
            if (option is not null && !allowed.Contains(option) && parse.GetResult(option) is { Implicit: false } && All.Contains(option))
                throw new WbcNcaException($"{option.Name}: a run resumed from its folder keeps the options it was started with; only --epochs, --threads, --device and --engine may be given (or give --data and every option as at the start)");
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(configPath));
            var root = doc.RootElement;
            string arch = root.GetProperty("arch").GetString()!;
            ModelSpec spec = ModelSpec.FromJson(arch, root.GetProperty("config").GetRawText());
            TrainOptions options = TrainOptions.FromJson(root.GetProperty("options").GetRawText());
            if (parse.GetValue(Epochs) is int epochs) options = options with { Epochs = Check(epochs, epochs >= 1, Epochs, "≥ 1") };
            string[] aeDomains = root.TryGetProperty("ae_domains", out var d) ? d.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
            int limit = root.TryGetProperty("limit_per_class", out var l) ? l.GetInt32() : 0;
            return new Runs.TrainingRun(root.GetProperty("dataset").GetString()!, root.GetProperty("data").GetString()!, spec, options, outPath, Resume: true, limit,
                parse.GetValue(Threads) ?? Environment.ProcessorCount)
            {
                AeDomains = aeDomains,
                Engine = parse.GetValue(Engine) == "torch" ? Engines.NcaEngine.Torch : Engines.NcaEngine.Fused,
            };
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            string problem = e is System.Text.Json.JsonException j ? IO.JsonProblem.Describe(j) : e.Message.TrimEnd('.');
            throw WbcNcaException.ForFile(configPath, $"not a run's config ({problem})");
        }
    }

    // The numbers with a range, each checked with its option's name (TrainOptions.Validate checks them again, by field).
    private void CheckRanges(ParseResult parse)
    {
        if (parse.GetValue(Epochs) is int epochs) Check(epochs, epochs >= 1, Epochs, "≥ 1");
        if (parse.GetValue(EpochSize) is int epochSize) Check(epochSize, epochSize >= 0, EpochSize, "≥ 0");
        if (parse.GetValue(BatchSize) is int batch) Check(batch, batch >= 1, BatchSize, "≥ 1");
        if (parse.GetValue(LearningRate) is double lr) Check(lr, lr > 0 && double.IsFinite(lr), LearningRate, "a number > 0");
        if (parse.GetValue(Warmup) is int warmup) Check(warmup, warmup >= 0, Warmup, "≥ 0");
        if (parse.GetValue(FinalLrFraction) is double final) Check(final, final > 0 && final <= 1, FinalLrFraction, "in (0, 1]");
        int folds = Check(parse.GetValue(Folds), parse.GetValue(Folds) >= 2, Folds, "≥ 2");
        Check(parse.GetValue(Fold), parse.GetValue(Fold) >= 0 && parse.GetValue(Fold) < folds, Fold, $"in 0..{folds - 1}");
        double fraction = parse.GetValue(ValidationFraction);
        Check(fraction, fraction > 0 && fraction < 1, ValidationFraction, "in (0, 1)");
        Check(parse.GetValue(LimitPerClass), parse.GetValue(LimitPerClass) >= 0, LimitPerClass, "≥ 0 (0 = all)");
    }

    // A value that only its parser can check: its ArgumentException named with the option.
    private static T Named<T>(Option option, Func<T> parse)
    {
        try { return parse(); }
        catch (ArgumentException e) { throw new WbcNcaException($"{option.Name}: {e.Message}"); }
    }

    private static T Check<T>(T value, bool ok, Option option, string range) =>
        ok ? value : throw new WbcNcaException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{option.Name} must be {range} (got {value})"));

    /// <summary>Every option of this class.</summary>
    public IReadOnlyList<Option> All => [Dataset, Data, Out, Arch, AeDomains, Preset, Channels, Hidden, Steps, ImageSize, Epochs, EpochSize, BatchSize, LearningRate, LrSchedule, Decay,
        FinalLrFraction, Warmup, Loss, Seed, Folds, Fold, SplitSeed, ValidationFraction, Normalization, NoRotate, NoFlip, StainAugment, Brightness, Contrast, Saturation, Hue, Hed,
        Zoom, ColorMix, TightCrop, Framing, Colour, LimitPerClass, Resume, Device, Threads, Engine];

    // --lr-schedule, --decay, --final-lr-fraction and --warmup over the recipe's schedule; a value that the chosen schedule would ignore is refused.
    private TrainOptions ReadSchedule(ParseResult parse, TrainOptions options)
    {
        if (parse.GetValue(LrSchedule) is string kind)
            options = kind == "cosine"
                ? options with { LrSchedule = LearningRateScheduleKind.Cosine, DecayAuto = false }
                : options with { LrSchedule = LearningRateScheduleKind.Exp };
        bool cosine = options.LrSchedule == LearningRateScheduleKind.Cosine;
        if (parse.GetValue(Decay)?.Trim() is string decay)
        {
            bool auto = string.Equals(decay, "auto", StringComparison.OrdinalIgnoreCase);
            if (cosine && !auto) throw new WbcNcaException($"--decay {decay}: a factor per batch applies to --lr-schedule exp; cosine ends at --final-lr-fraction of --lr");
            if (auto) options = options with { DecayAuto = !cosine };
            else if (double.TryParse(decay, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double gamma) && gamma > 0 && gamma <= 1)
                options = options with { Decay = gamma, DecayAuto = false };
            else throw new WbcNcaException($"--decay: expected a number in (0, 1] or auto (got '{decay}')");
        }
        if (parse.GetValue(Warmup) is int warmup) options = options with { Warmup = warmup };
        if (parse.GetValue(FinalLrFraction) is double fraction)
        {
            if (!options.ScheduleSpansRun) throw new WbcNcaException("--final-lr-fraction: applies with --decay auto or --lr-schedule cosine (a fixed --decay sets the end itself)");
            options = options with { FinalLrFraction = fraction };
        }
        return options;
    }
}
