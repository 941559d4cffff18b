using System.Globalization;
using System.CommandLine;
using TorchSharp;
using WbcNca.Runtime;

namespace WbcNca.Cli;

/// <summary>
/// Options several commands share, each with one description everywhere. Descriptions are in sentence case without a
/// final period; a default that is not a fixed value is written as a final "[default: …]", as the help shows fixed ones.
/// </summary>
public static class CommonOptions
{
    /// <summary>The model used when <c>--model</c> is not given: the trained Acevedo-20 model shipped in the repository.</summary>
    public const string DefaultModelRelative = "models/wbc-nca-acevedo20.safetensors";

    /// <summary><c>--device cpu|cuda</c>.</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = "Where to compute: cpu or cuda (needs the CUDA build of TorchSharp)",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary><c>--threads N</c>.</summary>
    public static Option<int?> Threads() => new("--threads")
    {
        Description = "CPU threads to use [default: all cores]",
    };

    /// <summary><c>--engine fused|torch</c>: how an NCA backbone is computed (a baseline always runs on libtorch).</summary>
    public static Option<string> Engine()
    {
        var option = new Option<string>("--engine")
        {
            Description = "How an NCA runs on the CPU: fused (C# kernels) or torch (libtorch); other devices always use libtorch",
            DefaultValueFactory = _ => "fused",
        };
        option.AcceptOnlyFromAmong("fused", "torch");
        return option;
    }

    /// <summary>The engine <paramref name="option"/> asks for on <paramref name="device"/>: fused on the CPU unless torch is asked for; libtorch on any other device.</summary>
    public static Engines.NcaEngine ParseEngine(ParseResult parse, Option<string> option, torch.Device device) =>
        Engines.NcaEngines.Resolve(parse.GetValue(option) == "torch" ? Engines.NcaEngine.Torch : null, device);

    /// <summary><c>--model PATH</c>.</summary>
    public static Option<string?> Model(bool required = false) => new("--model", "-m")
    {
        Description = required ? "Model file (.safetensors)" : $"Model file (.safetensors) [default: {DefaultModelRelative}]",
        Required = required,
    };

    /// <summary><c>--update-probability P</c> (predict, explain): overrides the model's fire rate.</summary>
    public static Option<double?> UpdateProbability() => new("--update-probability")
    {
        Description = "Override the fire rate p. 1 = every cell at every step: an exactness check (deterministic, e.g. against the ONNX export), "
                    + "not an inference mode: a model trained with p < 1 (the paper's 0.5) gives wrong classes at p = 1",
    };

    /// <summary>
    /// The warning line (without "warning: ") for running a model trained with fire rate p &lt; 1 at
    /// <paramref name="requested"/> = 1, where its classes are wrong; null otherwise (no override, p &lt; 1 asked, a
    /// model trained at p = 1, or a baseline).
    /// </summary>
    public static string? UpdateProbabilityWarning(Checkpoints.ModelBundle bundle, double? requested)
    {
        if (requested is not >= 1.0 || bundle.Spec.Nca is not { } config || config.UpdateProbability >= 1) return null;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"--update-probability 1 is an exactness check, not an inference mode: this model was trained with p = {config.UpdateProbability} and gives wrong classes at p = 1; leave the option out (or average --samples N) to classify");
    }

    /// <summary>Writes <see cref="UpdateProbabilityWarning"/> as one "warning: …" line on stderr when there is one.</summary>
    public static void WarnAboutUpdateProbability(Checkpoints.ModelBundle bundle, double? requested)
    {
        if (UpdateProbabilityWarning(bundle, requested) is string warning) Console.Error.WriteLine($"warning: {warning}");
    }

    /// <summary><c>--on-bad-image fail|skip</c>.</summary>
    public static Option<string> OnBadImage()
    {
        var option = new Option<string>("--on-bad-image")
        {
            Description = "What to do with an image that cannot be read: fail (stop with an error naming it) or skip (report it, leave it out, go on)",
            DefaultValueFactory = _ => "fail",
        };
        option.AcceptOnlyFromAmong("fail", "skip");
        return option;
    }

    /// <summary>True when <c>--on-bad-image skip</c> was given.</summary>
    public static bool SkipBadImages(ParseResult parse, Option<string> option) => parse.GetValue(option) == "skip";

    /// <summary><c>--json</c>; <paramref name="description"/> starts "Print one JSON object" and says what it holds.</summary>
    public static Option<bool> Json(string description) => new("--json") { Description = description };

    /// <summary><c>--out PATH</c> (required): "<paramref name="what"/> to write", with <paramref name="detail"/> in parentheses.</summary>
    public static Option<string> Out(string what, string? detail = null) => new("--out", "-o")
    {
        Description = detail is null ? $"{what} to write" : $"{what} to write ({detail})",
        Required = true,
    };

    /// <summary><c>--seed S</c> of the update masks at inference (predict, explain, serve).</summary>
    public static Option<long> MaskSeed(long defaultValue = 0) => new("--seed")
    {
        Description = "Seed of the update masks (the same seed gives the same answer)",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--samples N</c>: stochastic runs averaged at inference (predict, explain, serve); default: the model's own (one run for most models).</summary>
    public static Option<int?> Samples() => new("--samples")
    {
        Description = "Average this many stochastic runs (mask seeds --seed, --seed + 1, …) and report the per-class standard deviation as the uncertainty [default: the model's own ('info': answers with), 1 for most models]",
    };

    /// <summary><c>--views</c>: each averaged run sees the cell turned or mirrored (predict, evaluate, serve); default: the model's own.</summary>
    public static Option<bool> Views() => new("--views")
    {
        Description = "Each of the --samples runs sees the cell in another of its 8 rotations and mirror images (run k: view k mod 8), as the models were trained with; test-time augmentation; left out, as the model's own averaging says ('info': answers with), and --views false turns it off",
    };

    /// <summary>
    /// The averaging a command runs with: <c>--samples</c> and <c>--views</c> where given, otherwise the model's own
    /// (<see cref="Checkpoints.ModelBundle.Averaging"/>, stored by <c>calibrate --samples N --views</c>; one run for other models).
    /// </summary>
    public static Inference.TestTimeAveraging Averaging(ParseResult parse, Option<int?> samples, Option<bool>? views, Checkpoints.ModelBundle bundle)
    {
        bool viewsGiven = views is not null && parse.GetResult(views) is { Implicit: false };
        return new Inference.TestTimeAveraging(parse.GetValue(samples) ?? bundle.Averaging.Samples, viewsGiven ? parse.GetValue(views!) : bundle.Averaging.Views);
    }

    /// <summary><c>--normalization</c> that overrides a model's statistics at inference (predict, explain, serve).</summary>
    public static Option<string?> NormalizationOverride() => new("--normalization")
    {
        Description = $"Override the model's input normalisation: {string.Join(", ", Imaging.Normalization.KnownNames)} (image = per image) or a statistics file from 'wbc-nca stats' [default: the model's]",
    };

    /// <summary><c>--lab-anchors</c>: a lab's anchor colours for a model trained with stain anchors (evaluate, predict, explain, serve, adapt).</summary>
    public static Option<string?> LabAnchors() => new("--lab-anchors")
    {
        Description = "A lab file from 'wbc-nca stats' over this lab's unlabelled images, for models trained with --colour stains: its typical red-cell colour stands in for images without usable red cells of their own (adapt measures it on the labelled cells when not given)",
    };

    /// <summary>The model with the lab's anchor colours of <c>--lab-anchors</c> (unchanged without it); a bad file or a model that cannot use it is one line naming the option.</summary>
    public static Checkpoints.ModelBundle WithLabAnchors(Checkpoints.ModelBundle bundle, string? path) =>
        path is null ? bundle : WithLabAnchors(bundle, LoadLabAnchors(path), path);

    /// <summary>Reads the lab file of <c>--lab-anchors</c>; a bad file is one line naming the option.</summary>
    public static Imaging.LabAnchors LoadLabAnchors(string path)
    {
        try { return Imaging.LabAnchors.Load(path); }
        catch (ArgumentException e) { throw new WbcNcaException($"--lab-anchors: {e.Message}"); }
    }

    /// <summary>The model with the anchor colours read from <paramref name="path"/>; a model that cannot use them is one line naming the option.</summary>
    public static Checkpoints.ModelBundle WithLabAnchors(Checkpoints.ModelBundle bundle, Imaging.LabAnchors lab, string path)
    {
        try { return bundle with { Preprocessing = bundle.Preprocessing.WithLab(lab) }; }
        catch (ArgumentException e) { throw new WbcNcaException($"--lab-anchors {path}: {e.Message}"); }
    }

    /// <summary><c>--mask-seeds</c> (evaluate, experiment).</summary>
    public static Option<string> MaskSeeds() => new("--mask-seeds")
    {
        Description = "Update-mask seeds, comma-separated or a range: one evaluation each, mean ± std reported",
        DefaultValueFactory = _ => "0",
    };

    /// <summary><c>--limit-per-class</c> (train, experiment, evaluate).</summary>
    public static Option<int> LimitPerClass() => new("--limit-per-class")
    {
        Description = "Use at most this many images per class, chosen by --split-seed (0 = all)",
        DefaultValueFactory = _ => 0,
    };

    /// <summary><c>--folds</c> (train, experiment, evaluate).</summary>
    public static Option<int> Folds() => new("--folds") { Description = "Number of folds of the stratified k-fold split", DefaultValueFactory = _ => 5 };

    /// <summary><c>--split-seed</c> (train, experiment, evaluate).</summary>
    public static Option<int> SplitSeed() => new("--split-seed")
    {
        Description = "Seed of the k-fold split, its validation part and the --limit-per-class choice",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>The <c>images</c> argument of predict and explain.</summary>
    public static Argument<string[]> Images() => new("images")
    {
        Description = "Image files and/or folders (searched recursively for .jpg .jpeg .png .bmp .tif .tiff)",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>Parses a <c>--normalization</c> value; an unknown name is a one-line error naming the option.</summary>
    public static Imaging.Normalization ParseNormalization(string name)
    {
        try { return Imaging.Normalization.Parse(name); }
        catch (ArgumentException e) { throw new WbcNcaException($"--normalization: {e.Message}"); }
    }

    /// <summary>Initialises libtorch and returns the device.</summary>
    public static torch.Device Setup(string device, int? threads)
    {
        TorchRuntime.Initialize(threads);
        return TorchRuntime.ParseDevice(device);
    }

    /// <summary>
    /// Resolves the model path: the given one, or the default model next to the executable's repository
    /// (searched upwards from the binary and from the current folder).
    /// </summary>
    public static string ResolveModel(string? given)
    {
        if (!string.IsNullOrEmpty(given))
        {
            if (!File.Exists(given)) throw WbcNcaException.ForFile(given, "model file not found");
            return given;
        }
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, DefaultModelRelative);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new WbcNcaException($"no --model given and the default model {DefaultModelRelative} was not found; pass --model PATH (or make one with 'wbc-nca import-torch')");
    }

    /// <summary>Parses "1,2,3" or "1..5".</summary>
    public static long[] ParseSeeds(string text, string option)
    {
        try
        {
            var result = new List<long>();
            foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int dots = part.IndexOf("..", StringComparison.Ordinal);
                if (dots > 0)
                {
                    long a = long.Parse(part[..dots], CultureInfo.InvariantCulture), b = long.Parse(part[(dots + 2)..], CultureInfo.InvariantCulture);
                    for (long s = a; s <= b; s++) result.Add(s);
                }
                else result.Add(long.Parse(part, CultureInfo.InvariantCulture));
            }
            if (result.Count == 0) throw new FormatException("empty");
            return result.ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new WbcNcaException($"{option}: expected comma-separated integers or a range like 1..5 (got '{text}')");
        }
    }
}
