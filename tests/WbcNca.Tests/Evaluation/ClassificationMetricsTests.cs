using WbcNca.Data;
using WbcNca.Evaluation;

namespace WbcNca.Tests.Evaluation;

public class ClassificationMetricsTests
{
    // 3 classes a, b, c (c never occurs as truth). Truth/prediction pairs:
    // a→a ×3, a→b ×1, b→b ×1, b→a ×1, b→c ×2.
    private static readonly string[] Names = ["a", "b", "c"];
    private static readonly int[] Truth = [0, 0, 0, 0, 1, 1, 1, 1];
    private static readonly int[] Pred = [0, 0, 0, 1, 1, 0, 2, 2];

    [Fact]
    public void Metrics_equal_the_hand_computed_values()
    {
        var m = ClassificationMetrics.From(Names, Truth, Pred);
        Assert.Equal(8, m.N);
        Assert.Equal(4.0 / 8, m.Accuracy, 12);
        // recall a = 3/4, b = 1/4; precision a = 3/4, b = 1/2; F1 a = 0.75, b = 2·0.5·0.25/0.75 = 1/3.
        Assert.Equal((0.75 + 0.25) / 2, m.BalancedAccuracy, 12);
        Assert.Equal((0.75 + 1.0 / 3) / 2, m.MacroF1, 12);
        Assert.Equal(0.75, m.PerClass[0].Precision, 12);
        Assert.Equal(0.5, m.PerClass[1].Precision, 12);
        Assert.Equal(1.0 / 3, m.PerClass[1].F1, 12);
        Assert.Equal(0, m.PerClass[2].Support);
        Assert.Equal(2, m.PerClass[2].PredictedCount);
        Assert.Equal(0, m.PerClass[2].Precision);
    }

    [Fact]
    public void The_confusion_matrix_counts_true_rows_and_predicted_columns()
    {
        var c = ConfusionMatrix.From(Names, Truth, Pred);
        Assert.Equal(new long[][] { [3, 1, 0], [1, 1, 2], [0, 0, 0] }, c.ToRows());
    }

    [Fact]
    public void Json_has_the_documented_keys()
    {
        string json = ClassificationMetrics.From(Names, Truth, Pred).ToJson();
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        foreach (string key in new[] { "accuracy", "balanced_accuracy", "macro_f1", "n", "per_class", "confusion", "level" })
            Assert.True(doc.RootElement.TryGetProperty(key, out _), key);
    }

    private static float[] Fine(params (string Name, float P)[] probabilities)
    {
        var p = new float[CellClasses.FineCount];
        foreach (var (name, value) in probabilities) p[CellClasses.IndexOf(name, LabelLevel.Fine)] = value;
        return p;
    }

    private static int Coarse(string name) => CellClasses.IndexOf(name, LabelLevel.Coarse);

    [Fact]
    public void The_coarse_prediction_is_the_coarse_class_of_the_fine_argmax_even_where_a_sum_of_fine_classes_is_larger()
    {
        // Banded 0.2 + segmented 0.2 = neutrophil 0.4 would beat monocyte 0.35 by sum; the single best class is monocyte.
        float[] p = Fine(("neutrophil_banded", 0.2f), ("neutrophil_segmented", 0.2f), ("monocyte", 0.35f), ("basophil", 0.25f));
        Assert.Equal([Coarse("monocyte")], Evaluator.CoarsePredictions(p, CellClasses.FineCount));
    }

    [Fact]
    public void The_five_type_prediction_is_the_best_main_type_class_when_the_fine_argmax_is_an_other_class()
    {
        // Row 0: the arg-max is a myeloblast ("other"); among the five types' classes segmented neutrophil is best.
        // Row 1: the arg-max is a typical lymphocyte: both rules say lymphocyte.
        float[] p =
        [
            .. Fine(("myeloblast", 0.4f), ("neutrophil_segmented", 0.25f), ("lymphocyte_typical", 0.2f), ("monocyte", 0.15f)),
            .. Fine(("lymphocyte_typical", 0.5f), ("smudge_cell", 0.3f), ("eosinophil", 0.2f)),
        ];
        Assert.Equal([Coarse("other"), Coarse("lymphocyte")], Evaluator.CoarsePredictions(p, CellClasses.FineCount));
        Assert.Equal([Coarse("neutrophil"), Coarse("lymphocyte")], Evaluator.FiveTypePredictions(p, CellClasses.FineCount));
        Assert.Equal("neutrophil", Evaluator.FiveTypes[Evaluator.FiveTypePredictions(p, CellClasses.FineCount)[0]]);
    }

    [Fact]
    public void A_coarse_models_five_type_prediction_skips_its_other_output()
    {
        float[] p = [0.1f, 0.05f, 0.1f, 0.2f, 0.15f, 0.4f];   // basophil, eosinophil, lymphocyte, monocyte, neutrophil, other
        Assert.Equal([Coarse("monocyte")], Evaluator.FiveTypePredictions(p, CellClasses.CoarseCount));
    }

    [Fact]
    public void The_evaluation_json_adds_five_type_metrics_with_recall_and_predicted_counts_per_class()
    {
        var coarse = ClassificationMetrics.From(CellClasses.Coarse, [4, 4, 3, 0], [5, 4, 3, 5], "coarse");
        var five = ClassificationMetrics.From(Evaluator.FiveTypes, [4, 4, 3, 0], [4, 4, 3, 3], Evaluator.FiveTypesLevel);
        var report = new EvaluationReport(coarse, null, 4, [0], [coarse], "image") { FiveTypes = five };
        using var doc = System.Text.Json.JsonDocument.Parse(report.ToJson());
        var root = doc.RootElement;
        foreach (string key in new[] { "accuracy", "balanced_accuracy", "macro_f1", "n", "per_class", "confusion", "level", "images", "mask_seeds", "per_seed", "normalization" })
            Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Equal(0.5, root.GetProperty("accuracy").GetDouble(), 12);
        var f = root.GetProperty("five_types");
        Assert.Equal(0.75, f.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal((1 + 0 + 1) / 3.0, f.GetProperty("balanced_accuracy").GetDouble(), 12);   // neutrophil, basophil, monocyte present
        Assert.Equal(4, f.GetProperty("n").GetInt32());
        Assert.True(f.TryGetProperty("macro_f1", out _));
        Assert.Equal(Evaluator.FiveTypes, f.GetProperty("confusion").GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        var monocyte = f.GetProperty("per_class").GetProperty("monocyte");
        Assert.Equal(1.0, monocyte.GetProperty("recall").GetDouble());
        Assert.Equal(2, monocyte.GetProperty("predicted").GetInt32());
        Assert.Equal(0, f.GetProperty("per_class").GetProperty("basophil").GetProperty("recall").GetDouble());
    }
}
