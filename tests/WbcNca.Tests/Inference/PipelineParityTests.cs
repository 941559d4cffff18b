using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Explainability;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Model;
using WbcNca.Tests.Export;
using WbcNca.Tests.Imaging;
using WbcNca.Training;
using WbcNca.Web;

namespace WbcNca.Tests.Inference;

/// <summary>A framed, colour-anchored model gives the same probabilities for the same file through every path.</summary>
[Collection(TorchCollection.Name)]
public sealed class PipelineParityTests : IDisposable
{
    private static readonly NcaConfig Small = new(Channels: 16, HiddenSize: 24, Steps: 12, ImageSize: 16, ClassifierHidden: 20, NumClasses: 13);
    private readonly string folder = Directory.CreateTempSubdirectory("wbc-nca-parity-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Predict_evaluate_explain_and_serve_give_identical_probabilities_for_a_framed_model()
    {
        ModelBundle bundle = OnnxExportTests.RandomBundle(Small, 1) with { Preprocessing = new Preprocessing(Framing.Nucleus, Color: ColorMode.Anchors) };
        Rgb8Image field = new SyntheticSmear(200, 160, seed: 2).RedCells(30, (130, 60, 26)).WhiteCell(130, 60, 14, 24).Build();
        string path = Path.Combine(folder, "cell.png");
        File.WriteAllBytes(path, TestImages.Png(field));

        // predict
        var predictor = new Predictor(bundle);
        float[] predicted = FilePredictions.Run(predictor, bundle.Preprocessor(), [path], new PredictOptions(Seed: 0), skipUnreadable: false).Single().Prediction!.Probabilities;

        // evaluate (and training's validation): the image cache with the model's preprocessing
        var cache = ImageCache.Load([new LabeledImage(path, "cell.png", 0, LabelLevel.Fine, "test")], Small.ImageSize, preprocessing: bundle.Preprocessing);
        Assert.Equal(0, cache.CellsNotFound);
        float[] evaluated = CachedInference.Run(bundle.Model, cache, [0], bundle.Normalization, maskSeed: 0, batchSize: 4).Probabilities;

        // explain
        WbcNca.Explainability.Explanation explanation = new Explainer(bundle, TorchSharp.torch.CPU).Explain(path, new ExplainOptions(), new PredictOptions(Seed: 0));
        Assert.Equal(bundle.Preprocessor().View(field).View.Width, explanation.Image.Width);   // the figure shows the framed view

        // serve
        WebApplication app = WbcNcaServer.Create(bundle, new WebOptions(Samples: 1), explainer: new RelevanceExplainer(bundle, TorchSharp.torch.CPU), configure: b => b.WebHost.UseTestServer());
        await app.StartAsync();
        float[] served;
        using (HttpClient client = app.GetTestClient())
        {
            var form = new MultipartFormDataContent();
            var part = new ByteArrayContent(File.ReadAllBytes(path));
            part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(part, "images", "cell.png");
            using HttpResponseMessage r = await client.PostAsync("/api/predict", form);
            JsonElement json = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            served = json.GetProperty("predictions")[0].GetProperty("probabilities").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            // The page's Explain button explains the framed cell once, as the library does (not a second framing of the framed view).
            var explainForm = new MultipartFormDataContent();
            var image = new ByteArrayContent(File.ReadAllBytes(path));
            image.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            explainForm.Add(image, "images", "cell.png");
            using HttpResponseMessage er = await client.PostAsync("/api/explain?top=3", explainForm);
            JsonElement explained = JsonDocument.Parse(await er.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(explanation.Relevance.TargetClass, explained.GetProperty("index").GetInt32());
            foreach (JsonElement ch in explained.GetProperty("channels").EnumerateArray())
                Assert.Equal(explanation.Relevance.Relevance[ch.GetProperty("channel").GetInt32()], ch.GetProperty("relevance").GetDouble(), 4);
        }
        await app.StopAsync();
        await app.DisposeAsync();

        for (int c = 0; c < Small.NumClasses; c++)
        {
            Assert.Equal(predicted[c], evaluated[c], 5);
            Assert.Equal(predicted[c], explanation.Prediction.Probabilities[c], 5);
            Assert.Equal(predicted[c], served[c], 5);
        }
        // And the framing mattered: the whole image gives other probabilities.
        float[] whole = FilePredictions.Run(predictor, (bundle with { Preprocessing = Preprocessing.Default }).Preprocessor(), [path], new PredictOptions(Seed: 0), skipUnreadable: false)
            .Single().Prediction!.Probabilities;
        Assert.True(Enumerable.Range(0, Small.NumClasses).Max(c => Math.Abs(whole[c] - predicted[c])) > 1e-4);
    }
}
