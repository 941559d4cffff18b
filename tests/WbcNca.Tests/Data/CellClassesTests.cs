using WbcNca;
using WbcNca.Data;

namespace WbcNca.Tests.Data;

public class CellClassesTests
{
    [Fact]
    public void Fine_classes_are_the_papers_thirteen_in_index_order()
    {
        Assert.Equal(
            ["basophil", "eosinophil", "erythroblast", "myeloblast", "promyelocyte", "myelocyte", "metamyelocyte",
             "neutrophil_banded", "neutrophil_segmented", "monocyte", "lymphocyte_typical", "lymphocyte_atypical", "smudge_cell"],
            CellClasses.Fine);
        Assert.Equal(CellClasses.FineCount, CellClasses.Count(LabelLevel.Fine));
    }

    [Fact]
    public void Coarse_classes_are_five_main_types_and_other()
    {
        Assert.Equal(["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil", "other"], CellClasses.Coarse);
        Assert.Equal("other", CellClasses.Coarse[CellClasses.CoarseOther]);
    }

    [Theory]
    [InlineData("basophil", "basophil")]
    [InlineData("eosinophil", "eosinophil")]
    [InlineData("erythroblast", "other")]
    [InlineData("myeloblast", "other")]
    [InlineData("promyelocyte", "other")]
    [InlineData("myelocyte", "other")]
    [InlineData("metamyelocyte", "other")]
    [InlineData("neutrophil_banded", "neutrophil")]
    [InlineData("neutrophil_segmented", "neutrophil")]
    [InlineData("monocyte", "monocyte")]
    [InlineData("lymphocyte_typical", "lymphocyte")]
    [InlineData("lymphocyte_atypical", "lymphocyte")]
    [InlineData("smudge_cell", "other")]
    public void Each_fine_class_maps_to_its_coarse_class(string fine, string coarse)
    {
        int f = CellClasses.IndexOf(fine, LabelLevel.Fine);
        Assert.Equal(coarse, CellClasses.Name(CellClasses.CoarseOf(f), LabelLevel.Coarse));
        Assert.Equal(CellClasses.CoarseOf(f), CellClasses.Convert(f, LabelLevel.Fine, LabelLevel.Coarse));
    }

    [Fact]
    public void Every_fine_class_belongs_to_exactly_one_coarse_class_and_every_coarse_class_has_one()
    {
        int[] owners = new int[CellClasses.FineCount];
        for (int c = 0; c < CellClasses.CoarseCount; c++)
        {
            Assert.NotEmpty(CellClasses.FineClassesOf(c));
            foreach (int f in CellClasses.FineClassesOf(c)) owners[f]++;
        }
        Assert.All(owners, n => Assert.Equal(1, n));
    }

    [Fact]
    public void The_membership_matrix_has_a_one_where_a_fine_class_belongs_to_a_coarse_class_and_zeros_elsewhere()
    {
        float[] m = CellClasses.Membership();
        Assert.Equal(CellClasses.CoarseCount * CellClasses.FineCount, m.Length);
        for (int c = 0; c < CellClasses.CoarseCount; c++)
            for (int f = 0; f < CellClasses.FineCount; f++)
                Assert.Equal(CellClasses.CoarseOf(f) == c ? 1f : 0f, m[c * CellClasses.FineCount + f]);
    }

    [Fact]
    public void Lookup_by_name_ignores_case_and_blanks()
    {
        Assert.Equal(7, CellClasses.IndexOf(" Neutrophil_BANDED ", LabelLevel.Fine));
        Assert.Equal(4, CellClasses.IndexOf("NEUTROPHIL", LabelLevel.Coarse));
        Assert.False(CellClasses.TryIndexOf("neutrophil", LabelLevel.Fine, out _));
    }

    [Fact]
    public void Unknown_class_name_gives_one_line_error_listing_the_valid_names()
    {
        var e = Assert.Throws<WbcNcaException>(() => CellClasses.IndexOf("platelet", LabelLevel.Fine));
        Assert.Contains("'platelet'", e.Message);
        Assert.Contains("smudge_cell", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Coarse_labels_cannot_be_turned_into_fine_labels_and_bad_indices_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => CellClasses.Convert(0, LabelLevel.Coarse, LabelLevel.Fine));
        Assert.Throws<ArgumentOutOfRangeException>(() => CellClasses.CoarseOf(13));
        Assert.Throws<ArgumentOutOfRangeException>(() => CellClasses.Name(6, LabelLevel.Coarse));
    }
}
