using WbcNca.Data;
using WbcNca.Inference;

namespace WbcNca.Tests.Inference;

public sealed class DifferentialCountTests
{
    private static Prediction Of(int index) => new(index, CellClasses.Fine, new float[13], new float[13], new float[13]);

    [Fact]
    public void Answered_cells_are_counted_per_class_and_main_type_and_the_bins_are_kept_apart()
    {
        int banded = CellClasses.Fine.ToList().IndexOf("neutrophil_banded"), segmented = CellClasses.Fine.ToList().IndexOf("neutrophil_segmented");
        int lymphocyte = CellClasses.Fine.ToList().IndexOf("lymphocyte_typical");
        var answers = new (Prediction, AnswerStatus)[]
        {
            (Of(banded), AnswerStatus.Ok), (Of(segmented), AnswerStatus.Ok), (Of(segmented), AnswerStatus.Ok), (Of(lymphocyte), AnswerStatus.Ok),
            (Of(lymphocyte), AnswerStatus.Review), (Of(0), AnswerStatus.NotACell),
        };
        DifferentialCount d = DifferentialCount.From("patient 7", CellClasses.Fine, answers);
        Assert.Equal((4, 1, 1, 6), (d.Answered, d.Review, d.NotACell, d.Total));
        Assert.Equal(50.0, d.Percent(segmented));
        Assert.Equal(25.0, d.Percent(lymphocyte));
        var types = d.MainTypes()!.ToDictionary(t => t.Type);
        Assert.Equal((3, 75.0), (types["neutrophil"].Count, types["neutrophil"].Percent));
        Assert.Equal(0, types["basophil"].Count);                 // the not-a-cell "basophil" is not counted
        string csv = DifferentialCount.ToCsv([d]);
        Assert.StartsWith("sample,level,class,count,percent\n", csv);
        Assert.Contains("patient 7,class,neutrophil_segmented,2,50\n", csv);
        Assert.Contains("patient 7,main_type,neutrophil,3,75\n", csv);
        Assert.Contains("patient 7,bin,review,1,\n", csv);
        Assert.Contains("patient 7,bin,not_a_cell,1,\n", csv);
    }

    [Fact]
    public void A_sample_with_nothing_answered_has_zero_percentages_and_a_comma_in_its_name_is_quoted()
    {
        DifferentialCount d = DifferentialCount.From("ward 3, bed 2", CellClasses.Fine, [(Of(1), AnswerStatus.Review)]);
        Assert.Equal(0, d.Answered);
        Assert.All(Enumerable.Range(0, 13), c => Assert.Equal(0.0, d.Percent(c)));
        Assert.Contains("\"ward 3, bed 2\",bin,review,1,", DifferentialCount.ToCsv([d]));
        Assert.Contains("\"review\": 1", DifferentialCount.ToJson([d]));
    }
}
