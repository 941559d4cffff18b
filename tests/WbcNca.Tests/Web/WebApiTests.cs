using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Tests.Imaging;
using WbcNca.Web;

namespace WbcNca.Tests.Web;

[Collection(TorchCollection.Name)]
public class WebApiTests
{
    private static byte[] CellPng(int seed, int size = 24)
    {
        var rng = new Random(seed);
        var px = new byte[size * size * 3];
        rng.NextBytes(px);
        return TestImages.Png(new Rgb8Image(size, size, px));
    }

    private static MultipartFormDataContent Form(params (string Name, byte[] Data)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, data) in files)
        {
            var part = new ByteArrayContent(data);
            part.Headers.ContentType = new MediaTypeHeaderValue("image/png");   // the server must not trust this
            form.Add(part, "images", name);
        }
        return form;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> Post(HttpClient client, string url, HttpContent content)
    {
        using HttpResponseMessage r = await client.PostAsync(url, content);
        string text = await r.Content.ReadAsStringAsync();
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        return (r.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task AssertStillServes(WebTestHost host)
    {
        var (status, json) = await Post(host.Client, "/api/predict", Form(("ok.png", CellPng(9))));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, json.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public async Task Get_on_a_post_endpoint_is_405_and_error_texts_keep_their_apostrophes()
    {
        await using var host = await WebTestHost.StartAsync();
        using HttpResponseMessage r = await host.Client.GetAsync("/api/predict");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, r.StatusCode);
        string text = await r.Content.ReadAsStringAsync();
        Assert.Contains("/api/predict takes POST", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
        var (status, json) = await Post(host.Client, "/api/predict?samples=x", Form(("ok.png", CellPng(9))));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("query parameter 'samples'", json.GetProperty("error").GetString());
        using HttpResponseMessage raw = await host.Client.PostAsync("/api/predict?samples=x", Form(("ok.png", CellPng(9))));
        Assert.Contains("query parameter 'samples'", await raw.Content.ReadAsStringAsync());   // not \u0027
    }

    [Fact]
    public async Task Health_and_model_endpoints_describe_the_served_model()
    {
        await using var host = await WebTestHost.StartAsync();
        Assert.Equal("ok", JsonDocument.Parse(await host.Client.GetStringAsync("/health")).RootElement.GetProperty("status").GetString());
        var model = JsonDocument.Parse(await host.Client.GetStringAsync("/api/model")).RootElement;
        Assert.Equal(host.Bundle.Classifier.ParameterCount, model.GetProperty("parameters").GetInt64());
        Assert.Equal(WebTestHost.Small.Steps, model.GetProperty("config").GetProperty("steps").GetInt32());
        Assert.Equal(host.Bundle.Classes, model.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToArray());
        Assert.Equal(3, model.GetProperty("limits").GetProperty("max_images_per_request").GetInt32());
        Assert.Equal(JsonValueKind.Null, model.GetProperty("explainer").ValueKind);
    }

    [Fact]
    public async Task Predict_returns_per_image_the_fields_and_values_of_predict_json()
    {
        await using var host = await WebTestHost.StartAsync();
        byte[][] images = [CellPng(1), CellPng(2, size: 16)];
        var (status, json) = await Post(host.Client, "/api/predict", Form(("a.png", images[0]), ("b.png", images[1])));
        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = json.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(2, predictions.Length);

        var pre = new ImagePreprocessor(WebTestHost.Small.ImageSize, host.Bundle.Normalization);
        var options = new PredictOptions(Samples: WebTestHost.Limits.Samples);
        var want = new Predictor(host.Bundle).Predict(images.Select(b => pre.Process(ImageDecoder.Decode8(b, "x"))).ToList(), options);
        string[] names = ["a.png", "b.png"];
        for (int i = 0; i < 2; i++)
        {
            var p = predictions[i];
            CellLocation location = CellLocator.Locate(ImageDecoder.Decode8(images[i], "x"));
            string cli = WbcNca.Cli.Commands.PredictCommand.ToJson(names[i], want[i], withUncertainty: true, location, host.Bundle.Decision.Decide(want[i], location));
            var cliKeys = JsonDocument.Parse(cli).RootElement.EnumerateObject().Select(o => o.Name).ToArray();
            Assert.Equal(cliKeys, p.EnumerateObject().Select(o => o.Name).ToArray());
            Assert.Equal(names[i], p.GetProperty("path").GetString());
            Assert.Equal(want[i].ClassName, p.GetProperty("class").GetString());
            float[] probs = p.GetProperty("probabilities").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            float[] std = p.GetProperty("probability_std").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            for (int c = 0; c < 13; c++)
            {
                Assert.Equal(want[i].Probabilities[c], probs[c], 5);
                Assert.Equal(want[i].ProbabilityStd[c], std[c], 5);
            }
        }
    }

    [Fact]
    public async Task A_text_file_named_png_is_refused_with_415_and_the_server_keeps_serving()
    {
        await using var host = await WebTestHost.StartAsync();
        var (status, json) = await Post(host.Client, "/api/predict", Form(("cell.png", Encoding.UTF8.GetBytes("just some notes, not a picture"))));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal(415, json.GetProperty("status").GetInt32());
        Assert.Equal("cell.png", json.GetProperty("file").GetString());
        Assert.Contains("not an image", json.GetProperty("error").GetString());
        await AssertStillServes(host);
    }

    [Fact]
    public async Task A_truncated_png_is_refused_with_400_naming_it_and_the_server_keeps_serving()
    {
        await using var host = await WebTestHost.StartAsync();
        byte[] png = CellPng(3);
        var (status, json) = await Post(host.Client, "/api/predict", Form(("good.png", CellPng(4)), ("broken.png", png[..(png.Length / 2)])));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("broken.png", json.GetProperty("file").GetString());
        Assert.StartsWith("broken.png: ", json.GetProperty("error").GetString());
        await AssertStillServes(host);
    }

    [Fact]
    public async Task An_image_declaring_more_pixels_than_allowed_is_refused_with_413()
    {
        await using var host = await WebTestHost.StartAsync();
        var (status, json) = await Post(host.Client, "/api/predict", Form(("bomb.png", TestImages.PngHeaderOnly(20_000, 20_000))));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("too large", json.GetProperty("error").GetString());
        await AssertStillServes(host);
    }

    [Fact]
    public async Task More_images_than_the_limit_or_a_body_over_the_limit_are_refused_with_413()
    {
        await using var host = await WebTestHost.StartAsync();
        var (count, countJson) = await Post(host.Client, "/api/predict", Form(Enumerable.Range(0, 4).Select(i => ($"{i}.png", CellPng(i))).ToArray()));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, count);
        Assert.Contains("more than the limit of 3", countJson.GetProperty("error").GetString());

        var (size, sizeJson) = await Post(host.Client, "/api/predict", Form(("big.png", new byte[400_000])));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, size);
        Assert.Contains("limit", sizeJson.GetProperty("error").GetString());
        await AssertStillServes(host);
    }

    [Fact]
    public async Task A_body_that_is_not_multipart_or_has_no_image_is_refused_clearly()
    {
        await using var host = await WebTestHost.StartAsync();
        var (raw, _) = await Post(host.Client, "/api/predict", new ByteArrayContent(CellPng(5)) { Headers = { ContentType = new("image/png") } });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, raw);
        var (empty, json) = await Post(host.Client, "/api/predict", new MultipartFormDataContent { { new StringContent("x"), "note" } });
        Assert.Equal(HttpStatusCode.BadRequest, empty);
        Assert.Contains("no image", json.GetProperty("error").GetString());
        var (samples, _) = await Post(host.Client, "/api/predict?samples=1000", Form(("a.png", CellPng(6))));
        Assert.Equal(HttpStatusCode.BadRequest, samples);
    }

    [Fact]
    public async Task Explain_answers_501_without_an_explainer()
    {
        await using var host = await WebTestHost.StartAsync();
        var (status, json) = await Post(host.Client, "/api/explain", Form(("a.png", CellPng(7))));
        Assert.Equal(HttpStatusCode.NotImplemented, status);
        Assert.Contains("not available", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Explain_passes_the_model_input_to_the_explainer_and_returns_its_maps_as_base64_png()
    {
        var explainer = new FakeExplainer();
        await using var host = await WebTestHost.StartAsync(explainer);
        var (status, json) = await Post(host.Client, "/api/explain?class=eosinophil&top=2", Form(("a.png", CellPng(8, size: 40))));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("eosinophil", json.GetProperty("class").GetString());
        Assert.Equal("fake", json.GetProperty("explainer").GetString());
        var channels = json.GetProperty("channels").EnumerateArray().ToArray();
        Assert.Equal(2, channels.Length);
        Assert.Equal(FakeExplainer.Png, Convert.FromBase64String(channels[0].GetProperty("map_png").GetString()!));
        Assert.Equal(FakeExplainer.Png, Convert.FromBase64String(json.GetProperty("overlay_png").GetString()!));
        ExplanationRequest seen = explainer.Seen!;
        Assert.Equal(1, seen.TargetClass);
        Assert.Equal(16, seen.Image.Width);                  // resized to the model's input
        Assert.Equal(3 * 16 * 16, seen.Input.Length);
    }

    [Fact]
    public async Task Explain_with_relevance_propagation_returns_the_top_channels_ranked_with_their_maps_and_an_overlay()
    {
        await using var host = await WebTestHost.StartAsync(bundle => new RelevanceExplainer(bundle));
        var (status, json) = await Post(host.Client, "/api/explain?top=3", Form(("a.png", CellPng(9, size: 40))));
        Assert.Equal(HttpStatusCode.OK, status);
        var channels = json.GetProperty("channels").EnumerateArray().ToArray();
        Assert.Equal(3, channels.Length);
        double[] relevance = channels.Select(c => c.GetProperty("relevance").GetDouble()).ToArray();
        Assert.Equal(relevance.OrderByDescending(r => r), relevance);
        foreach (var c in channels)
        {
            Rgb8Image map = ImageDecoder.Decode8(Convert.FromBase64String(c.GetProperty("map_png").GetString()!), "map");
            Assert.Equal(128, map.Width);
        }
        Rgb8Image overlay = ImageDecoder.Decode8(Convert.FromBase64String(json.GetProperty("overlay_png").GetString()!), "overlay");
        Assert.Equal(128, overlay.Height);
        var (_, predicted) = await Post(host.Client, "/api/predict", Form(("a.png", CellPng(9, size: 40))));
        Assert.Equal(predicted.GetProperty("predictions")[0].GetProperty("class").GetString(), json.GetProperty("class").GetString());
    }

    [Fact]
    public async Task The_page_and_its_files_are_served_by_the_app_without_anything_external()
    {
        await using var host = await WebTestHost.StartAsync();
        using var page = await host.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        string html = await page.Content.ReadAsStringAsync();
        var references = Regex.Matches(html, "(?:src|href)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Contains("/app.js", references);
        Assert.Contains("/app.css", references);
        foreach (string r in references) Assert.StartsWith("/", r);
        foreach (string file in new[] { "/app.js", "/app.css" })
        {
            string text = await host.Client.GetStringAsync(file);
            Assert.DoesNotMatch("(?:https?:)?//(?!www\\.w3\\.org/2000/svg)[a-z0-9.-]+\\.[a-z]{2,}", text);
        }
        using var missing = await host.Client.GetAsync("/nothing-here.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    internal sealed class FakeExplainer : IExplainer
    {
        public static readonly byte[] Png = TestImages.Png(new Rgb8Image(2, 2, new byte[12]));

        public ExplanationRequest? Seen { get; private set; }

        public string Name => "fake";

        public Explanation Explain(ExplanationRequest request)
        {
            Seen = request;
            var channels = Enumerable.Range(0, request.TopChannels).Select(c => new ChannelRelevance(c + 3, 1.0 / (c + 1), Png)).ToList();
            return new Explanation(request.TargetClass ?? 0, channels, Png);
        }
    }
}
