using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WbcNca.Data;

namespace WbcNca.Runs;

/// <summary>
/// The one rule for a training run's split and its held-out (test) fold, used by <c>train</c>, <c>evaluate</c> and
/// <c>experiment</c>. Training splits its usable images (the data set, limited per class, without the unreadable
/// ones) by <see cref="StratifiedKFold"/>, with duplicates grouped by content and by the data set's manifest
/// (<see cref="DuplicateGroups.For"/>), and records the split in the model file's provenance: fold, split seed, the
/// per-class limit, the unreadable images left out, and the number and a digest of the test images. The held-out fold
/// of a model is then, in this order: the test images listed in the run folder's <c>config.json</c> beside the model,
/// or the split rebuilt from the provenance and checked against the digest, so that a changed data set is an error
/// and never a silently different "test fold".
/// </summary>
/// <param name="Fold">The test fold.</param>
/// <param name="Folds">k of the k-fold split.</param>
/// <param name="SplitSeed">Seed of the split and of the per-class limit.</param>
/// <param name="LimitPerClass">At most this many images per class were used (0 = all).</param>
public sealed record HeldOutFold(int Fold, int Folds, int SplitSeed, int LimitPerClass = 0)
{
    /// <summary>Provenance key of the fold, "F/K".</summary>
    public const string FoldKey = "fold";

    /// <summary>Provenance key of the split seed.</summary>
    public const string SplitSeedKey = "split_seed";

    /// <summary>Provenance key of the per-class limit (absent: 0).</summary>
    public const string LimitKey = "limit_per_class";

    /// <summary>Provenance key of the number of test images.</summary>
    public const string TestCountKey = "test_images";

    /// <summary>Provenance key of the test images' digest (<see cref="Digest"/>).</summary>
    public const string DigestKey = "test_digest";

    /// <summary>Provenance key of the unreadable images training left out (relative paths, one per line; absent: none).</summary>
    public const string UnreadableKey = "unreadable_images";

    /// <summary>The images a run uses: <paramref name="set"/>'s items limited per class (before any image is decoded).</summary>
    public IReadOnlyList<LabeledImage> Candidates(Dataset set) => PerClassSample.Limit(set.Items, LimitPerClass, SplitSeed);

    /// <summary>The stratified k-fold split of <paramref name="usable"/> (some of <paramref name="set"/>'s items).</summary>
    public FoldAssignment Split(Dataset set, IReadOnlyList<LabeledImage> usable) =>
        StratifiedKFold.Split(usable, DuplicateGroups.For(set, usable), Folds, SplitSeed);

    /// <summary>The facts that training stores in the model file so that the held-out fold can be found again.</summary>
    public IReadOnlyDictionary<string, string> Provenance(IEnumerable<LabeledImage> test, IReadOnlyList<string> unreadable)
    {
        var testPaths = test.Select(i => i.RelativePath).ToArray();
        var facts = new Dictionary<string, string>
        {
            [FoldKey] = $"{Fold}/{Folds}",
            [SplitSeedKey] = SplitSeed.ToString(CultureInfo.InvariantCulture),
            [TestCountKey] = testPaths.Length.ToString(CultureInfo.InvariantCulture),
            [DigestKey] = Digest(testPaths),
        };
        if (LimitPerClass > 0) facts[LimitKey] = LimitPerClass.ToString(CultureInfo.InvariantCulture);
        if (unreadable.Count > 0) facts[UnreadableKey] = string.Join('\n', unreadable);
        return facts;
    }

    /// <summary>The split a model's provenance records, or null when it records none (e.g. an imported model).</summary>
    /// <exception cref="WbcNcaException">The recorded values are malformed.</exception>
    public static HeldOutFold? Recorded(IReadOnlyDictionary<string, string> provenance, string modelPath)
    {
        if (!provenance.TryGetValue(FoldKey, out string? fold)) return null;
        string[] parts = fold.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int f) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int k) || k < 2 || f < 0 || f >= k)
            throw WbcNcaException.ForFile(modelPath, $"records the fold as '{fold}', expected F/K");
        int seed = 0, limit = 0;
        if (provenance.TryGetValue(SplitSeedKey, out string? s) && !int.TryParse(s, CultureInfo.InvariantCulture, out seed))
            throw WbcNcaException.ForFile(modelPath, $"records the split seed as '{s}', expected an integer");
        if (provenance.TryGetValue(LimitKey, out string? l) && !int.TryParse(l, CultureInfo.InvariantCulture, out limit))
            throw WbcNcaException.ForFile(modelPath, $"records the per-class limit as '{l}', expected an integer");
        return new HeldOutFold(f, k, seed, limit);
    }

    /// <summary>
    /// The held-out test images of the model at <paramref name="modelPath"/> in <paramref name="set"/>: those the run
    /// folder's config.json beside it lists, or the split rebuilt from <paramref name="provenance"/> and checked
    /// against its digest. <paramref name="source"/> says which, in words.
    /// </summary>
    /// <exception cref="WbcNcaException">A listed image is missing, or the rebuilt fold differs from the recorded one.</exception>
    public IReadOnlyList<LabeledImage> TestItems(string modelPath, IReadOnlyDictionary<string, string> provenance, Dataset set, out string source)
    {
        IReadOnlyList<LabeledImage> candidates = Candidates(set);
        string configFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", "config.json");
        if (ListedTestItems(configFile, candidates) is { } listed)
        {
            source = $"the {listed.Count} test images its run folder lists";
            return listed;
        }
        var (folds, usable) = Rebuild(modelPath, provenance, set, candidates);
        source = $"fold {Fold}/{Folds} (split seed {SplitSeed}) rebuilt from the model's record{(provenance.ContainsKey(DigestKey) ? " and checked" : "")}";
        return folds.TrainTest(Fold).Test.Select(i => usable[i]).ToArray();
    }

    /// <summary>
    /// The training and validation parts of the model at <paramref name="modelPath"/> in <paramref name="set"/>, rebuilt
    /// from <paramref name="provenance"/> (and checked against its test digest) with the run's validation fraction.
    /// </summary>
    /// <exception cref="WbcNcaException">The rebuilt fold differs from the recorded one.</exception>
    public (IReadOnlyList<LabeledImage> Training, IReadOnlyList<LabeledImage> Validation) TrainingParts(string modelPath, IReadOnlyDictionary<string, string> provenance,
        Dataset set, double validationFraction)
    {
        var (folds, usable) = Rebuild(modelPath, provenance, set, Candidates(set));
        var split = folds.TrainValidationTest(Fold, validationFraction, SplitSeed);
        return (split.Train.Select(i => usable[i]).ToArray(), split.Validation.Select(i => usable[i]).ToArray());
    }

    // The split of the usable candidates (without the images training could not read), checked against the recorded test digest.
    private (FoldAssignment Folds, LabeledImage[] Usable) Rebuild(string modelPath, IReadOnlyDictionary<string, string> provenance, Dataset set, IReadOnlyList<LabeledImage> candidates)
    {
        var unreadable = provenance.TryGetValue(UnreadableKey, out string? u) ? u.Split('\n').ToHashSet(StringComparer.Ordinal) : [];
        LabeledImage[] usable = candidates.Where(i => !unreadable.Contains(i.RelativePath)).ToArray();
        FoldAssignment folds = Split(set, usable);
        var test = folds.TrainTest(Fold).Test.Select(i => usable[i]).ToArray();
        if (provenance.TryGetValue(DigestKey, out string? digest) && digest != Digest(test.Select(i => i.RelativePath)))
        {
            string recorded = provenance.TryGetValue(TestCountKey, out string? n) ? $"{n} images" : "other images";
            throw WbcNcaException.ForFile(modelPath,
                $"its held-out fold {Fold}/{Folds} cannot be rebuilt from {set.Root}: the training run's test fold had {recorded}, the data set now gives {test.Length} other ones; evaluate next to the run folder's config.json, or without --fold");
        }
        return (folds, usable);
    }

    /// <summary>A short digest of a set of relative paths (SHA-256 of the ordinally sorted paths, one per line; 16 hex digits).</summary>
    public static string Digest(IEnumerable<string> relativePaths)
    {
        string joined = string.Join('\n', relativePaths.Order(StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)))[..16];
    }

    // The run folder's list of test images (config.json "test_items") when the config belongs to this split, else null.
    private IReadOnlyList<LabeledImage>? ListedTestItems(string configFile, IReadOnlyList<LabeledImage> candidates)
    {
        if (!File.Exists(configFile)) return null;
        JsonDocument config;
        try { config = JsonDocument.Parse(File.ReadAllText(configFile)); }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException) { return null; }
        using (config)
        {
            JsonElement root = config.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("test_items", out JsonElement listed) || listed.ValueKind != JsonValueKind.Array) return null;
            if (!root.TryGetProperty("options", out JsonElement options) || !Same(options, "fold", Fold) || !Same(options, "folds", Folds) || !Same(options, "split_seed", SplitSeed))
                return null;
            var byPath = candidates.ToDictionary(i => i.RelativePath, StringComparer.Ordinal);
            var test = new List<LabeledImage>();
            foreach (JsonElement entry in listed.EnumerateArray())
            {
                string path = entry.GetString() ?? "";
                if (!byPath.TryGetValue(path, out LabeledImage? item)) throw WbcNcaException.ForFile(configFile, $"lists test image '{path}', which the data set no longer has");
                test.Add(item);
            }
            return test;
        }
    }

    private static bool Same(JsonElement options, string key, int value) =>
        options.TryGetProperty(key, out JsonElement e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v == value;
}
