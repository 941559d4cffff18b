using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Model;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Cli;

/// <summary><c>predict --json</c> (the real program): each line is one image's object and reads on its own.</summary>
[Collection(TorchCollection.Name)]
public sealed class PredictJsonTests : IDisposable
{
    private readonly TempFolder dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Each_line_names_the_models_classes_in_the_order_of_its_probabilities()
    {
        string model = Path.Combine(dir.Path, "m.safetensors");
        ModelBundle bundle = Explainability.ExplainerTests.Random(NcaConfig.Compact with { Steps = 4 });
        ModelFile.Save(bundle, model);
        string[] images = [dir.Write("a.png", TestImages.Png(TestImages.Pattern(40, 40))), dir.Write("b.png", TestImages.Png(TestImages.Pattern(50, 30)))];
        var r = CliProcess.Run(["predict", "--model", model, "--json", "--samples", "3", .. images]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(2, r.StdoutLines.Length);
        foreach (string line in r.StdoutLines)
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement o = doc.RootElement;
            string[] classes = o.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!).ToArray();
            Assert.Equal(bundle.Classes, classes);
            float[] probabilities = o.GetProperty("probabilities").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(classes.Length, probabilities.Length);
            Assert.Equal(classes.Length, o.GetProperty("logits").GetArrayLength());
            Assert.Equal(classes.Length, o.GetProperty("probability_std").GetArrayLength());
            // The named class is the one whose probability is highest, found through the names.
            Assert.Equal(classes[Array.IndexOf(probabilities, probabilities.Max())], o.GetProperty("class").GetString());
        }
    }
}
