using WbcNca.Data;

namespace WbcNca.Tests.Data;

public class FolderReaderTests
{
    [SkippableFact]
    public void Folder_reader_reads_jtsc_at_the_coarse_level_with_its_per_class_counts()
    {
        Dataset d = DatasetReader.Open("folder", SharedData.Require("data/jtsc"));
        Assert.Equal(LabelLevel.Coarse, d.Level);
        Assert.Equal([1, 22, 53, 48, 176, 0], d.ClassCounts);
        Assert.Empty(d.Skipped);
    }

    [SkippableFact]
    public void Folder_reader_reads_bccd_capitalised_folders_at_the_coarse_level()
    {
        Dataset d = DatasetReader.Open("Folder", SharedData.Require("data/bccd"));
        Assert.Equal(LabelLevel.Coarse, d.Level);
        Assert.Equal([3, 88, 33, 20, 207, 0], d.ClassCounts);
        Assert.Equal("Basophil", d.Items[0].SourceClass);
        Assert.Empty(d.Skipped);
    }

    [Fact]
    public void Folder_reader_reports_unknown_folders_instead_of_dropping_them()
    {
        using var t = new TempTree();
        t.File("Neutrophil/a.jpg"); t.File("platelets/p.jpg"); t.File("platelets/q.jpg"); t.Folder("misc");
        Dataset d = DatasetReader.Open("folder", t.Root);
        Assert.Single(d.Items);
        Assert.Equal(["misc/", "platelets/p.jpg", "platelets/q.jpg"], d.Skipped.Select(s => s.RelativePath));
        Assert.All(d.Skipped, s => Assert.Equal(SkipReason.UnknownClass, s.Kind));
    }

    [Fact]
    public void Folder_reader_reads_fine_class_folders_at_the_fine_level()
    {
        using var t = new TempTree();
        t.File("Neutrophil_Banded/a.png"); t.File("smudge-cell/b.png"); t.File("basophil/c.png");
        Dataset d = DatasetReader.Open("folder", t.Root);
        Assert.Equal(LabelLevel.Fine, d.Level);
        Assert.Equal(["neutrophil_banded", "basophil", "smudge_cell"], d.Items.Select(i => i.LabelName)); // ordinal: upper case first
    }

    [Fact]
    public void Folder_reader_maps_fine_folders_to_coarse_classes_when_a_folder_names_only_a_main_type()
    {
        using var t = new TempTree();
        t.File("neutrophil/a.png"); t.File("neutrophil_segmented/b.png"); t.File("erythroblast/c.png"); t.File("lymphocyte_atypical/d.png");
        Dataset d = DatasetReader.Open("folder", t.Root);
        Assert.Equal(LabelLevel.Coarse, d.Level);
        Assert.Equal(["other", "lymphocyte", "neutrophil", "neutrophil"], d.Items.Select(i => i.LabelName));
    }

    [Fact]
    public void Folder_reader_forced_to_the_fine_level_skips_main_type_folders_it_cannot_resolve()
    {
        using var t = new TempTree();
        t.File("neutrophil/a.png"); t.File("monocyte/b.png");
        Dataset d = new FolderReader(LabelLevel.Fine).Read(t.Root);
        Assert.Equal("monocyte", Assert.Single(d.Items).LabelName);
        Assert.Equal(SkipReason.UnknownClass, Assert.Single(d.Skipped).Kind);
    }

    [Fact]
    public void Folder_level_is_coarse_for_names_valid_at_both_levels_only()
    {
        Assert.Equal(LabelLevel.Coarse, FolderReader.DecideLevel(["Basophil", "eosinophil", "MONOCYTE"]));
        Assert.Equal(LabelLevel.Fine, FolderReader.DecideLevel(["basophil", "myeloblast"]));
        Assert.Equal(LabelLevel.Coarse, FolderReader.DecideLevel(["myeloblast", "Lymphocyte"]));
    }

    [Fact]
    public void Dataset_converted_to_coarse_keeps_items_and_maps_labels()
    {
        using var t = new TempTree();
        t.File("neutrophil_banded/a.png"); t.File("myelocyte/b.png");
        Dataset coarse = DatasetReader.Open("folder", t.Root).ToLevel(LabelLevel.Coarse);
        Assert.Equal(LabelLevel.Coarse, coarse.Level);
        Assert.Equal(["other", "neutrophil"], coarse.Items.Select(i => i.LabelName));
        Assert.Equal(1, coarse.CountOf("neutrophil"));
    }
}
