using WbcNca.Data;

namespace WbcNca.Tests.Data;

public class Acevedo20ReaderTests
{
    [SkippableFact]
    public void Acevedo20_reader_gives_the_readme_count_of_each_harmonised_class()
    {
        Dataset d = Acevedo20Data.Dataset;
        Assert.Equal(LabelLevel.Fine, d.Level);
        Assert.Equal("acevedo20", d.Kind);
        var expected = new Dictionary<string, int>
        {
            ["basophil"] = 1218, ["eosinophil"] = 3117, ["erythroblast"] = 1551, ["myeloblast"] = 0, ["promyelocyte"] = 592,
            ["myelocyte"] = 1137, ["metamyelocyte"] = 1015, ["neutrophil_banded"] = 1633, ["neutrophil_segmented"] = 1646,
            ["monocyte"] = 1420, ["lymphocyte_typical"] = 1214, ["lymphocyte_atypical"] = 0, ["smudge_cell"] = 0,
        };
        foreach (var (name, count) in expected) Assert.True(count == d.CountOf(name), $"{name}: expected {count}, got {d.CountOf(name)}");
        Assert.Equal(17092 - 151 - 50 - 2348, d.Items.Count);
    }

    [SkippableFact]
    public void Acevedo20_reader_skips_unspecified_ig_and_neutrophil_images_and_platelets_as_left_out()
    {
        Dataset d = Acevedo20Data.Dataset;
        Assert.All(d.Skipped, s => Assert.Equal(SkipReason.LeftOutClass, s.Kind));
        var bySource = d.Skipped.GroupBy(s => s.SourceClass).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["ig/IG_"] = 151, ["neutrophil/NEUTROPHIL_"] = 50, ["platelet"] = 2348 }, bySource);
    }

    [SkippableFact]
    public void Acevedo20_reader_maps_ig_prefixes_to_three_classes_by_whole_prefix()
    {
        Dataset d = Acevedo20Data.Dataset;
        foreach (LabeledImage item in d.Items.Where(i => i.RelativePath.StartsWith("ig/", StringComparison.Ordinal)))
        {
            string file = Path.GetFileName(item.RelativePath);
            string expected = file.StartsWith("PMY_", StringComparison.Ordinal) ? "promyelocyte"
                : file.StartsWith("MMY_", StringComparison.Ordinal) ? "metamyelocyte"
                : file.StartsWith("MY_", StringComparison.Ordinal) ? "myelocyte" : "?";
            Assert.Equal(expected, item.LabelName);
            Assert.Equal("ig/" + file[..(file.IndexOf('_') + 1)], item.SourceClass);
        }
    }

    [SkippableFact]
    public void Acevedo20_items_are_sorted_by_relative_path_with_full_paths_below_the_root()
    {
        Dataset d = Acevedo20Data.Dataset;
        for (int i = 1; i < d.Items.Count; i++)
            Assert.True(string.CompareOrdinal(d.Items[i - 1].RelativePath, d.Items[i].RelativePath) < 0);
        LabeledImage first = d.Items[0];
        Assert.Equal(Path.Combine(d.Root, first.RelativePath.Replace('/', Path.DirectorySeparatorChar)), first.Path);
        Assert.True(File.Exists(first.Path));
        Assert.Equal("acevedo20", d.Name);
    }

    [Fact]
    public void Acevedo20_reader_tells_MY_from_MMY_and_PMY_and_reports_unknown_prefixes()
    {
        using var t = new TempTree();
        t.File("ig/MY_1.jpg"); t.File("ig/MMY_2.jpg"); t.File("ig/PMY_3.jpg"); t.File("ig/IG_4.jpg"); t.File("ig/XMY_5.jpg"); t.File("ig/nounderscore.jpg");
        t.File("neutrophil/BNE_1.jpg"); t.File("neutrophil/SNE_2.JPG"); t.File("neutrophil/NEUTROPHIL_3.jpg");
        t.File("lymphocyte/LY_1.jpg"); t.File("platelet/PLATELET_1.jpg"); t.File("lymphocyte/Thumbs.db");
        Dataset d = DatasetReader.Open("Acevedo20", t.Root);
        var labels = d.Items.ToDictionary(i => i.RelativePath, i => i.LabelName);
        Assert.Equal(new Dictionary<string, string>
        {
            ["ig/MMY_2.jpg"] = "metamyelocyte", ["ig/MY_1.jpg"] = "myelocyte", ["ig/PMY_3.jpg"] = "promyelocyte",
            ["lymphocyte/LY_1.jpg"] = "lymphocyte_typical", ["neutrophil/BNE_1.jpg"] = "neutrophil_banded", ["neutrophil/SNE_2.JPG"] = "neutrophil_segmented",
        }, labels);
        var skipped = d.Skipped.ToDictionary(s => s.RelativePath, s => s.Kind);
        Assert.Equal(new Dictionary<string, SkipReason>
        {
            ["ig/IG_4.jpg"] = SkipReason.LeftOutClass, ["ig/XMY_5.jpg"] = SkipReason.UnknownClass, ["ig/nounderscore.jpg"] = SkipReason.UnknownClass,
            ["lymphocyte/Thumbs.db"] = SkipReason.NotAnImage, ["neutrophil/NEUTROPHIL_3.jpg"] = SkipReason.LeftOutClass,
            ["platelet/PLATELET_1.jpg"] = SkipReason.LeftOutClass,
        }, skipped);
    }
}
