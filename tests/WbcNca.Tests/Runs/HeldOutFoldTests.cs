using System.Text.Json;
using WbcNca.Data;
using WbcNca.Runs;
using WbcNca.Tests.Data;
using WbcNca.Tests.Explainability;

namespace WbcNca.Tests.Runs;

public sealed class HeldOutFoldTests : IDisposable
{
    private readonly TempTree tree = new();

    public void Dispose() => tree.Dispose();

    // A folder data set of two classes, 12 distinct PNGs each.
    private Dataset Set()
    {
        for (int i = 0; i < 12; i++)
        {
            TestCells.SavePng(TestCells.Disc(24, 12, 12, 5 + i % 4, seed: i), Path.Combine(tree.Root, "set", "neutrophil", $"n{i:00}.png"));
            TestCells.SavePng(TestCells.Disc(24, 11, 13, 7 + i % 3, seed: 100 + i), Path.Combine(tree.Root, "set", "lymphocyte", $"l{i:00}.png"));
        }
        return DatasetReader.Open("folder", Path.Combine(tree.Root, "set"));
    }

    // What training records: the split of the usable images (some left out as unreadable) and its provenance.
    private static (LabeledImage[] Test, IReadOnlyDictionary<string, string> Provenance) Train(HeldOutFold rule, Dataset set, params string[] unreadable)
    {
        LabeledImage[] usable = rule.Candidates(set).Where(i => !unreadable.Contains(i.RelativePath)).ToArray();
        LabeledImage[] test = rule.Split(set, usable).TrainTest(rule.Fold).Test.Select(i => usable[i]).ToArray();
        return (test, rule.Provenance(test, unreadable));
    }

    [Fact]
    public void The_held_out_fold_is_rebuilt_from_the_models_record_without_the_images_training_could_not_read()
    {
        Dataset set = Set();
        var rule = new HeldOutFold(Fold: 1, Folds: 3, SplitSeed: 4);
        var (test, provenance) = Train(rule, set, "neutrophil/n03.png", "lymphocyte/l07.png");
        string model = Path.Combine(tree.Folder("models"), "m.safetensors");

        var rebuilt = rule.TestItems(model, provenance, set, out string source);

        Assert.Equal(test.Select(i => i.RelativePath), rebuilt.Select(i => i.RelativePath));
        Assert.DoesNotContain(rebuilt, i => i.RelativePath is "neutrophil/n03.png" or "lymphocyte/l07.png");
        Assert.Contains("checked", source);
        Assert.Equal(rule, HeldOutFold.Recorded(provenance, model));
    }

    [Fact]
    public void A_data_set_that_changed_since_training_is_an_error_naming_the_model_not_another_test_fold()
    {
        Dataset set = Set();
        var rule = new HeldOutFold(Fold: 0, Folds: 3, SplitSeed: 0);
        var (test, provenance) = Train(rule, set);
        File.Delete(test[0].Path);
        string model = Path.Combine(tree.Folder("models"), "m.safetensors");

        var e = Assert.Throws<WbcNcaException>(() => rule.TestItems(model, provenance, DatasetReader.Open("folder", set.Root), out _));

        Assert.StartsWith(model + ":", e.Message);
        Assert.Contains($"had {test.Length} images", e.Message);
    }

    [Fact]
    public void The_test_images_listed_by_the_run_folder_beside_the_model_come_first()
    {
        Dataset set = Set();
        var rule = new HeldOutFold(Fold: 2, Folds: 3, SplitSeed: 1);
        var (_, provenance) = Train(rule, set);
        string run = tree.Folder("run");
        string[] listed = ["lymphocyte/l01.png", "neutrophil/n05.png"];
        File.WriteAllText(Path.Combine(run, "config.json"), JsonSerializer.Serialize(new
        {
            options = new { fold = 2, folds = 3, split_seed = 1 },
            test_items = listed,
        }));

        var items = rule.TestItems(Path.Combine(run, "best.safetensors"), provenance, set, out string source);

        Assert.Equal(listed, items.Select(i => i.RelativePath));
        Assert.Contains("run folder", source);
        // A config of another split is not this model's list.
        var other = rule with { Fold = 1 };
        var (otherTest, otherProvenance) = Train(other, set);
        Assert.Equal(otherTest.Select(i => i.RelativePath), other.TestItems(Path.Combine(run, "best.safetensors"), otherProvenance, set, out _).Select(i => i.RelativePath));
    }

    [Fact]
    public void The_split_keeps_copies_of_one_original_together_through_the_data_sets_manifest()
    {
        Dataset set = Set();
        // Two different files that the manifest says are re-encodings of one original.
        File.WriteAllText(Path.Combine(tree.Root, "manifest.csv"), "path,original_sha1\nset/neutrophil/n00.png,aaaa\nset/lymphocyte/l00.png,aaaa\n");
        int[] groups = DuplicateGroups.For(set, set.Items);
        int n00 = set.Items.ToList().FindIndex(i => i.RelativePath == "neutrophil/n00.png");
        int l00 = set.Items.ToList().FindIndex(i => i.RelativePath == "lymphocyte/l00.png");
        Assert.Equal(groups[n00], groups[l00]);
        for (int seed = 0; seed < 4; seed++)
        {
            var split = new HeldOutFold(0, 3, seed).Split(set, set.Items);
            Assert.Equal(split.Folds[n00], split.Folds[l00]);
        }
    }

    [Fact]
    public void A_model_without_a_recorded_split_has_none_and_a_malformed_record_is_an_error()
    {
        Assert.Null(HeldOutFold.Recorded(new Dictionary<string, string> { ["source"] = "import" }, "m.safetensors"));
        var e = Assert.Throws<WbcNcaException>(() => HeldOutFold.Recorded(new Dictionary<string, string> { ["fold"] = "7/5" }, "m.safetensors"));
        Assert.Equal("m.safetensors: records the fold as '7/5', expected F/K", e.Message);
    }
}
