using WbcNca.Data;

namespace WbcNca.Tests.Data;

public class Matek19ReaderTests
{
    [Fact]
    public void Matek19_reader_maps_every_class_code_as_in_the_readme()
    {
        using var t = new TempTree();
        string[] codes = ["BAS", "EBO", "EOS", "KSC", "LYA", "LYT", "MMZ", "MOB", "MON", "MYB", "MYO", "NGB", "NGS", "PMB", "PMO"];
        for (int c = 0; c < codes.Length; c++)
            for (int n = 0; n <= c; n++) t.File($"{codes[c]}/{codes[c]}_{n:0000}.tiff");
        Dataset d = DatasetReader.Open("MATEK19", t.Root);

        Assert.Equal(LabelLevel.Fine, d.Level);
        var expected = new Dictionary<string, int>
        {
            ["basophil"] = 1, ["erythroblast"] = 2, ["eosinophil"] = 3, ["smudge_cell"] = 4, ["lymphocyte_atypical"] = 5,
            ["lymphocyte_typical"] = 6, ["metamyelocyte"] = 7, ["monocyte"] = 8 + 9, ["myelocyte"] = 10, ["myeloblast"] = 11,
            ["neutrophil_banded"] = 12, ["neutrophil_segmented"] = 13, ["promyelocyte"] = 15,
        };
        foreach (var (name, count) in expected) Assert.True(count == d.CountOf(name), $"{name}: expected {count}, got {d.CountOf(name)}");
        Assert.Equal(14, d.Skipped.Count);
        Assert.All(d.Skipped, s => { Assert.Equal(SkipReason.LeftOutClass, s.Kind); Assert.Equal("PMB", s.SourceClass); });
        Assert.Equal("MOB", d.Items.First(i => i.RelativePath.StartsWith("MOB/", StringComparison.Ordinal)).SourceClass);
    }

    [Fact]
    public void Matek19_reader_matches_codes_case_insensitively_and_reports_unknown_and_empty_folders()
    {
        using var t = new TempTree();
        t.File("bas/BAS_0001.tiff");
        t.File("XYZ/XYZ_0001.tiff");
        t.Folder("NGS");
        Dataset d = DatasetReader.Open("matek19", t.Root);
        Assert.Equal(1, d.CountOf("basophil"));
        Assert.Contains(d.Skipped, s => s.RelativePath == "XYZ/XYZ_0001.tiff" && s.Kind == SkipReason.UnknownClass && s.Reason.Contains("XYZ"));
        Assert.Contains(d.Skipped, s => s.RelativePath == "NGS/" && s.Kind == SkipReason.EmptyClassFolder);
    }
}
