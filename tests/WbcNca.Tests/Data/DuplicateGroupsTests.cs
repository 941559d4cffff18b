using WbcNca;
using WbcNca.Data;

namespace WbcNca.Tests.Data;

public class DuplicateGroupsTests
{
    [Fact]
    public void Items_sharing_a_key_in_any_list_form_one_group_also_through_chains()
    {
        int[] g = DuplicateGroups.FromKeys(["a", "b", "c", "a", null, "d"], ["x", "y", "y", null, null, "z"]);
        Assert.Equal([0, 1, 1, 0, 4, 5], g);
    }

    [Fact]
    public void Content_hash_is_the_sha1_of_the_file()
    {
        using var t = new TempTree();
        t.File("basophil/a.jpg", "abc");
        Dataset d = DatasetReader.Open("acevedo20", t.Root);
        Assert.Equal("a9993e364706816aba3e25717850c26c9cd0d89d", DuplicateGroups.ContentSha1(d.Items)[0]);
    }

    [Fact]
    public void A_manifest_next_to_the_data_set_joins_files_whose_originals_were_identical()
    {
        using var t = new TempTree();
        t.File("set/basophil/a.jpg", "re-encoded 1");
        t.File("set/basophil/b.jpg", "re-encoded 2");
        t.File("set/basophil/c.jpg", "re-encoded 3");
        t.File("manifest.csv", "path,source,class_folder,original_width,original_height,original_sha1\n" +
            "set/basophil/a.jpg,set,basophil,1,1,AAAA\nset/basophil/b.jpg,set,basophil,1,1,cccc\nset/basophil/c.jpg,set,basophil,1,1,aaaa\n");
        Dataset d = DatasetReader.Open("acevedo20", Path.Combine(t.Root, "set"));
        Assert.Equal(Path.Combine(t.Root, "manifest.csv"), DuplicateGroups.FindManifest(d));
        Assert.Equal([0, 1, 0], DuplicateGroups.ForDataset(d));
    }

    [Fact]
    public void A_manifest_without_the_needed_columns_is_a_clear_error()
    {
        using var t = new TempTree();
        t.File("basophil/a.jpg");
        string manifest = t.File("manifest.csv", "file,label\nbasophil/a.jpg,0\n");
        Dataset d = DatasetReader.Open("acevedo20", t.Root);
        var e = Assert.Throws<WbcNcaException>(() => DuplicateGroups.ManifestSha1(d.Items, manifest));
        Assert.StartsWith(manifest + ": ", e.Message);
    }

    [SkippableFact]
    public void The_17_byte_identical_pairs_of_the_original_acevedo20_are_still_byte_identical_here()
    {
        Dataset d = Acevedo20Data.Dataset;
        string manifest = DuplicateGroups.FindManifest(d) ?? throw new SkipException("no manifest.csv next to ../shared/data/acevedo20");
        string[] content = Acevedo20Data.ContentHashes;
        string?[] original = DuplicateGroups.ManifestSha1(d.Items, manifest);
        Assert.All(original, o => Assert.NotNull(o));
        static HashSet<string> Pairs(IReadOnlyList<LabeledImage> items, IReadOnlyList<string?> keys) =>
            Enumerable.Range(0, items.Count).GroupBy(i => keys[i]).Where(g => g.Count() > 1)
                .Select(g => string.Join(" ", g.Select(i => items[i].RelativePath))).ToHashSet();
        // Left-out files (IG_, NEUTROPHIL_, platelet) are not items; every original pair is among the used classes.
        HashSet<string> originalPairs = Pairs(d.Items, original), contentPairs = Pairs(d.Items, content);
        Assert.Equal(17, originalPairs.Count);
        Assert.Equal(originalPairs.Order(), contentPairs.Order());
        Assert.Contains("eosinophil/EO_225902.jpg neutrophil/BNE_191112.jpg", contentPairs); // a pair across two classes
    }
}
