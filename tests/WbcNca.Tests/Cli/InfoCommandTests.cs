using System.Text.Json;
using System.Text.Json.Nodes;
using WbcNca.Checkpoints;
using WbcNca.Tests.Web;

namespace WbcNca.Tests.Cli;

[Collection(TorchCollection.Name)]
public class InfoCommandTests
{
    // What 'wbc-nca train' stores: every value a string, the training options as JSON inside a string.
    private static readonly Dictionary<string, string> TrainedProvenance = new()
    {
        ["dataset"] = "acevedo20",
        ["fold"] = "0/5",
        ["split_seed"] = "0",
        ["source"] = "wbc-nca train",
        ["epoch"] = "4",
        ["seed"] = "1",
        ["validation_balanced_accuracy"] = "0.6815",
        ["train_options"] = """{   "epochs": 5,   "batch_size": 16,   "learning_rate": 0.001,   "loss": "cross_entropy",   "augmentation": {     "rotate": true,     "hue": 0   } }""",
    };

    [Fact]
    public async Task Info_json_and_the_model_endpoint_give_the_same_typed_description()
    {
        await using var host = await WebTestHost.StartAsync(provenance: TrainedProvenance);
        string dir = Directory.CreateTempSubdirectory("wbc-nca-info-").FullName;
        try
        {
            string model = Path.Combine(dir, "m.safetensors");
            ModelFile.Save(host.Bundle, model);
            var r = CliProcess.Run("info", "--model", model, "--json");
            Assert.True(r.ExitCode == 0, r.Stderr);
            JsonObject info = JsonNode.Parse(r.Stdout)!.AsObject();
            JsonObject api = JsonNode.Parse(await host.Client.GetStringAsync("/api/model"))!.AsObject();

            JsonObject p = info["provenance"]!.AsObject();
            Assert.Equal(JsonValueKind.Number, p["epoch"]!.GetValueKind());
            Assert.Equal(4, p["epoch"]!.GetValue<int>());
            Assert.Equal(0, p["split_seed"]!.GetValue<int>());
            Assert.Equal(0.6815, p["validation_balanced_accuracy"]!.GetValue<double>());
            Assert.Equal("0/5", p["fold"]!.GetValue<string>());
            Assert.Equal(JsonValueKind.Object, p["train_options"]!.GetValueKind());
            Assert.Equal(0.001, p["train_options"]!["learning_rate"]!.GetValue<double>());
            Assert.True(p["train_options"]!["augmentation"]!["rotate"]!.GetValue<bool>());
            Assert.Equal(JsonValueKind.Object, info["normalization"]!.GetValueKind());
            Assert.Equal(JsonValueKind.Object, info["config"]!.GetValueKind());
            Assert.Equal(JsonValueKind.Object, info["preprocessing"]!.GetValueKind());
            Assert.Equal("Classifies white blood cells into 13 types; 68 % accurate on held-out Acevedo-20 cells (averaged over the types).", info["summary"]!.GetValue<string>());

            // One description: every key of 'info --json' but the source (a path here, a file name there) is the endpoint's, equal.
            foreach (var (key, value) in info.Where(kv => kv.Key != "source"))
                Assert.True(JsonNode.DeepEquals(value, api[key]), $"'{key}' differs: info {value?.ToJsonString()} vs api {api[key]?.ToJsonString()}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Info_prints_the_training_options_as_a_readable_block_not_json_in_a_table_cell()
    {
        string dir = Directory.CreateTempSubdirectory("wbc-nca-info-").FullName;
        try
        {
            string model = Path.Combine(dir, "m.safetensors");
            ModelFile.Save(Export.OnnxExportTests.RandomBundle(WebTestHost.Small, 1) with { Provenance = TrainedProvenance }, model);
            var r = CliProcess.Run("info", "--model", model);
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.DoesNotContain("{", r.Stdout);
            Assert.DoesNotContain("\"", r.Stdout);
            string[] lines = r.StdoutLines;
            int block = Array.IndexOf(lines, "training options (train_options)");
            Assert.True(block > 0, r.Stdout);
            Assert.Equal(
                ["  epochs         5", "  batch_size     16", "  learning_rate  0.001", "  loss           cross_entropy", "  augmentation", "    rotate  true", "    hue     0"],
                lines.Skip(block + 1).Take(7));
            Assert.Contains(lines, l => l.Contains("68 % accurate", StringComparison.Ordinal));
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\bepoch\b\W+4\b"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
