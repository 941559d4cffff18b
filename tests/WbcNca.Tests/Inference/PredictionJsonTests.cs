using System.Text.Json;
using WbcNca.Inference;

namespace WbcNca.Tests.Inference;

public class PredictionJsonTests
{
    private static readonly string[] Classes = ["basophil", "eosinophil", "lymphocyte"];

    [Fact]
    public void A_prediction_names_the_classes_its_probabilities_logits_and_spread_are_aligned_with()
    {
        var p = new Prediction(1, Classes, [0.2f, 0.7f, 0.1f], [0.5f, 1.75f, -0.25f], [0.01f, 0.02f, 0.03f]);
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(PredictionJson.Create("a.png", p, withUncertainty: true)));
        JsonElement o = doc.RootElement;
        Assert.Equal(Classes, o.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("eosinophil", o.GetProperty("class").GetString());
        Assert.Equal(1, o.GetProperty("index").GetInt32());
        var byName = Classes.Select((name, i) => (name, i)).ToDictionary(t => t.name, t => t.i);
        Assert.Equal(0.7f, o.GetProperty("probabilities")[byName["eosinophil"]].GetSingle());
        Assert.Equal(-0.25f, o.GetProperty("logits")[byName["lymphocyte"]].GetSingle());
        Assert.Equal(0.01f, o.GetProperty("probability_std")[byName["basophil"]].GetSingle());
        Assert.Equal(
            ["path", "class", "index", "confidence", "classes", "probabilities", "logits", "probability_std"],
            o.EnumerateObject().Select(e => e.Name));
    }
}
