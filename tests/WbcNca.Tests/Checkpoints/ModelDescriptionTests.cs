using System.Text.Json;
using System.Text.Json.Nodes;
using WbcNca.Checkpoints;
using WbcNca.Imaging;
using WbcNca.Model;

namespace WbcNca.Tests.Checkpoints;

public class ModelDescriptionTests
{
    private static ModelDescription With(Dictionary<string, string> provenance) =>
        new("m.safetensors", ModelSpec.ForNca(NcaConfig.FromPreset("compact")), 14_797, 1, WbcNca.Data.CellClasses.Fine, Normalization.Acevedo20, Preprocessing.Default, provenance);

    [Theory]
    [InlineData("4", JsonValueKind.Number, "4")]
    [InlineData("-12", JsonValueKind.Number, "-12")]
    [InlineData("0.6815", JsonValueKind.Number, "0.6815")]
    [InlineData("1e-3", JsonValueKind.Number, "0.001")]
    [InlineData("true", JsonValueKind.True, "true")]
    [InlineData("0/5", JsonValueKind.String, "\"0/5\"")]
    [InlineData("007", JsonValueKind.String, "\"007\"")]
    [InlineData("1.", JsonValueKind.String, "\"1.\"")]
    [InlineData("NaN", JsonValueKind.String, "\"NaN\"")]
    [InlineData("acevedo20", JsonValueKind.String, "\"acevedo20\"")]
    [InlineData("{ \"epochs\": 5 }", JsonValueKind.Object, "{\"epochs\":5}")]
    [InlineData("[1, 2]", JsonValueKind.Array, "[1,2]")]
    [InlineData("{ not json }", JsonValueKind.String, "\"{ not json }\"")]
    public void A_stored_provenance_string_becomes_the_json_value_it_stands_for(string stored, JsonValueKind kind, string json)
    {
        JsonNode? v = ModelDescription.TypedValue(stored);
        Assert.Equal(kind, v!.GetValueKind());
        Assert.Equal(json, v.ToJsonString());
    }

    [Fact]
    public void The_summary_says_what_the_model_does_and_its_recorded_accuracy_in_words()
    {
        Assert.Equal("Classifies white blood cells into 13 types.", With([]).Summary);
        Assert.Equal("Classifies white blood cells into 13 types; 68 % accurate on held-out Acevedo-20 cells (averaged over the types).",
            With(new() { ["dataset"] = "acevedo20", ["validation_balanced_accuracy"] = "0.6815" }).Summary);
        // A test score is better evidence than the validation score; a plain accuracy is not "averaged over the types".
        Assert.Equal("Classifies white blood cells into 13 types; 73 % accurate on held-out Matek-19 cells.",
            With(new() { ["dataset"] = "matek19", ["validation_balanced_accuracy"] = "0.61", ["test_accuracy"] = "0.731" }).Summary);
        Assert.Equal("Classifies white blood cells into 13 types; 50 % accurate on held-out cells (averaged over the types); later adapted with 120 cells of another lab.",
            With(new() { ["dataset"] = "folder", ["validation_balanced_accuracy"] = "0.5", ["adapted_cells"] = "120" }).Summary);
        Assert.Equal("Classifies white blood cells into 13 types.", With(new() { ["validation_balanced_accuracy"] = "not measured" }).Summary);
        Assert.Equal("Untrained: once trained, classifies white blood cells into 13 types.", (With([]) with { Untrained = true }).Summary);
    }

    [Fact]
    public void The_json_has_objects_for_config_normalisation_and_input_and_leaves_out_what_a_fresh_model_lacks()
    {
        JsonObject o = With(new() { ["epoch"] = "3" }).ToJson();
        Assert.Equal(32, o["config"]!["channels"]!.GetValue<int>());
        Assert.Equal(0.8746204, o["normalization"]!["mean"]![0]!.GetValue<double>());
        Assert.Equal("whole", o["preprocessing"]!["framing"]!.GetValue<string>());
        Assert.Equal(3, o["provenance"]!["epoch"]!.GetValue<long>());
        Assert.False(o.ContainsKey("recipe"));
        Assert.False(o.ContainsKey("calibration"));
    }
}
