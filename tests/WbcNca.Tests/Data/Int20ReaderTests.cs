using WbcNca.Data;

namespace WbcNca.Tests.Data;

public class Int20ReaderTests
{
    [Fact]
    public void Int20_reader_maps_numbered_german_folders_and_leaves_out_four()
    {
        using var t = new TempTree();
        var folders = new Dictionary<string, string?>
        {
            ["09-BASO"] = "basophil", ["10-EOS"] = "eosinophil", ["01-NORMO"] = "erythroblast", ["13-MYBL"] = "myeloblast",
            ["18-PMYEL"] = "promyelocyte", ["19-MYEL"] = "myelocyte", ["20-Meta"] = "metamyelocyte", ["11-STAB"] = "neutrophil_banded",
            ["15-SEG"] = "neutrophil_segmented", ["05-MONO"] = "monocyte", ["14-LYMPH-typ"] = "lymphocyte_typical",
            ["08-LYMPH-neo"] = "lymphocyte_atypical", ["12-LYMPH-reaktiv"] = "lymphocyte_atypical", ["17-Kernschatten"] = "smudge_cell",
            ["04-LGL"] = null, ["16-PLZ"] = null, ["21-Haarzelle"] = null, ["22-Atyp-PMYEL"] = null,
        };
        foreach (string f in folders.Keys) { t.File($"{f}/a.png"); t.File($"{f}/b.bmp"); }
        Dataset d = DatasetReader.Open("int20", t.Root);

        foreach (var (folder, cls) in folders.Where(kv => kv.Value is not null))
            Assert.All(d.Items.Where(i => i.SourceClass == folder), i => Assert.Equal(cls, i.LabelName));
        Assert.Equal(4, d.CountOf("lymphocyte_atypical"));
        Assert.Equal(2, d.CountOf("smudge_cell"));
        Assert.Equal(28, d.Items.Count);
        Assert.Equal(["04-LGL", "16-PLZ", "21-Haarzelle", "22-Atyp-PMYEL"],
            d.Skipped.Where(s => s.Kind == SkipReason.LeftOutClass).Select(s => s.SourceClass!).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(8, d.Skipped.Count);
    }

    [Fact]
    public void Int20_reader_matches_folder_names_case_insensitively()
    {
        using var t = new TempTree();
        t.File("17-KERNSCHATTEN/x.tif");
        Dataset d = DatasetReader.Open("int20", t.Root);
        Assert.Equal("smudge_cell", Assert.Single(d.Items).LabelName);
    }
}
