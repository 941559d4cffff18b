using WbcNca;
using WbcNca.Data;

namespace WbcNca.Tests.Data;

public class DatasetReaderTests
{
    [Fact]
    public void Unknown_kind_is_a_one_line_error_naming_the_kinds()
    {
        var e = Assert.Throws<WbcNcaException>(() => DatasetReader.Open("kaggle", "."));
        Assert.Contains("'kaggle'", e.Message);
        Assert.Contains("matek19, acevedo20, int20, folder", e.Message);
    }

    [Fact]
    public void Missing_root_folder_is_an_error_naming_the_path()
    {
        using var t = new TempTree();
        string missing = Path.Combine(t.Root, "nope");
        var e = Assert.Throws<WbcNcaException>(() => DatasetReader.Open("acevedo20", missing));
        Assert.Equal($"{missing}: dataset folder not found", e.Message);
    }

    [Fact]
    public void Root_that_is_a_file_or_holds_no_labelled_image_is_an_error()
    {
        using var t = new TempTree();
        string file = t.File("x.jpg");
        Assert.Contains("is a file", Assert.Throws<WbcNcaException>(() => DatasetReader.Open("folder", file)).Message);
        t.File("platelet/p.jpg");
        Assert.Contains("no labelled image", Assert.Throws<WbcNcaException>(() => DatasetReader.Open("acevedo20", t.Root)).Message);
    }

    [Fact]
    public void Hidden_non_image_nested_and_stray_entries_are_skipped_with_reasons()
    {
        using var t = new TempTree();
        t.File("basophil/BA_1.jpg"); t.File("basophil/.BA_2.jpg"); t.File("basophil/notes.txt"); t.File("basophil/sub/BA_3.jpg");
        t.File(".cache/x.jpg"); t.File("README.md"); t.Folder("monocyte");
        Dataset d = DatasetReader.Open("acevedo20", t.Root);
        Assert.Equal("basophil/BA_1.jpg", Assert.Single(d.Items).RelativePath);
        var skipped = d.Skipped.ToDictionary(s => s.RelativePath, s => s.Kind);
        Assert.Equal(new Dictionary<string, SkipReason>
        {
            [".cache/"] = SkipReason.Hidden, ["README.md"] = SkipReason.Misplaced, ["basophil/.BA_2.jpg"] = SkipReason.Hidden,
            ["basophil/notes.txt"] = SkipReason.NotAnImage, ["basophil/sub/"] = SkipReason.Misplaced, ["monocyte/"] = SkipReason.EmptyClassFolder,
        }, skipped);
        Assert.Contains("skipped EmptyClassFolder monocyte: 1", d.Summary());
    }

    [Fact]
    public void All_image_extensions_count_case_insensitively()
    {
        using var t = new TempTree();
        string[] names = ["a.jpg", "b.JPEG", "c.Png", "d.bmp", "e.TIF", "f.tiff", "g.gif", "h.jpg.txt"];
        foreach (string n in names) t.File("monocyte/" + n);
        Dataset d = DatasetReader.Open("acevedo20", t.Root);
        Assert.Equal(6, d.Items.Count);
        Assert.Equal(["monocyte/g.gif", "monocyte/h.jpg.txt"], d.Skipped.Select(s => s.RelativePath));
    }

    [Fact]
    public void File_symlinks_are_followed_and_broken_or_looping_links_skipped()
    {
        Skip.If(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var t = new TempTree();
        string target = t.File("elsewhere/real.jpg");
        File.CreateSymbolicLink(Path.Combine(t.Folder("eosinophil"), "EO_1.jpg"), target);
        File.CreateSymbolicLink(Path.Combine(t.Root, "eosinophil", "EO_2.jpg"), Path.Combine(t.Root, "gone.jpg"));
        File.CreateSymbolicLink(Path.Combine(t.Root, "eosinophil", "EO_3.jpg"), Path.Combine(t.Root, "eosinophil", "EO_3.jpg"));
        Directory.CreateSymbolicLink(Path.Combine(t.Root, "basophil"), t.Root); // a class folder that links back to the root
        Dataset d = DatasetReader.Open("acevedo20", t.Root);
        Assert.Equal(["eosinophil/EO_1.jpg"], d.Items.Select(i => i.RelativePath));
        Assert.Equal(SkipReason.BadLink, d.Skipped.Single(s => s.RelativePath == "eosinophil/EO_2.jpg").Kind);
        Assert.Equal(SkipReason.BadLink, d.Skipped.Single(s => s.RelativePath == "eosinophil/EO_3.jpg").Kind);
        Assert.Contains(d.Skipped, s => s.RelativePath == "basophil/eosinophil/" && s.Kind == SkipReason.Misplaced);
    }

    [Fact]
    public void Class_folders_inside_a_single_wrapper_folder_are_found()
    {
        using var t = new TempTree();
        t.File("PBC_dataset_normal_DIB/PBC_dataset_normal_DIB/basophil/BA_1.jpg");
        Dataset d = DatasetReader.Open("acevedo20", t.Root);
        Assert.Equal("basophil/BA_1.jpg", Assert.Single(d.Items).RelativePath);
        Assert.Equal(Path.Combine(t.Root, "PBC_dataset_normal_DIB", "PBC_dataset_normal_DIB"), d.Root);
        Assert.Equal("PBC_dataset_normal_DIB", d.Name);
    }

    [Fact]
    public void Listing_order_does_not_matter_items_are_sorted_ordinally()
    {
        using var t = new TempTree();
        t.File("monocyte/b.jpg"); t.File("basophil/Z.jpg"); t.File("basophil/a.jpg"); t.File("Monocyte/c.jpg");
        Dataset d = DatasetReader.Open("acevedo20", t.Root);
        Assert.Equal(["Monocyte/c.jpg", "basophil/Z.jpg", "basophil/a.jpg", "monocyte/b.jpg"], d.Items.Select(i => i.RelativePath));
    }
}
