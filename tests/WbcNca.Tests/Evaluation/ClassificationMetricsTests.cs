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

    [Fact]
    public void Coarse_predictions_sum_the_probabilities_of_the_fine_classes()
    {
        var p = new float[CellClasses.FineCount];
        // Banded 0.2 + segmented 0.2 = neutrophil 0.4 beats monocyte 0.35.
        p[CellClasses.IndexOf("neutrophil_banded", LabelLevel.Fine)] = 0.2f;
        p[CellClasses.IndexOf("neutrophil_segmented", LabelLevel.Fine)] = 0.2f;
        p[CellClasses.IndexOf("monocyte", LabelLevel.Fine)] = 0.35f;
        p[CellClasses.IndexOf("basophil", LabelLevel.Fine)] = 0.25f;
        Assert.Equal([CellClasses.IndexOf("neutrophil", LabelLevel.Coarse)], Evaluator.CoarsePredictions(p, CellClasses.FineCount));
    }
}

public class PlotTests
{
    [Fact]
    public void The_confusion_heat_map_and_the_metric_plot_are_written_as_png_files()
    {
        string dir = Path.Combine(Path.GetTempPath(), "wbc-nca-plot-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var m = ConfusionMatrix.From(CellClasses.Coarse, [0, 1, 2, 3, 4, 4], [0, 1, 2, 3, 4, 5]);
            string a = Path.Combine(dir, "confusion.png"), b = Path.Combine(dir, "channels.png");
            WbcNca.Reporting.Plots.Confusion(m, a, "test");
            WbcNca.Reporting.Plots.MetricAgainst([(8, 0.5, 0.02), (16, 0.6, 0.01), (32, 0.7, 0.03)], "channels", "accuracy", b);
            foreach (string f in new[] { a, b })
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(f)[..4]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
