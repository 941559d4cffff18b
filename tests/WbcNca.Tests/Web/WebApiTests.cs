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
        Assert.Equal("Classifies white blood cells into 13 types.", model.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task The_model_endpoint_gives_typed_provenance_and_nested_objects_not_json_inside_strings()
    {
        var provenance = new Dictionary<string, string>
        {
            ["source"] = "wbc-nca train",
            ["dataset"] = "acevedo20",
            ["fold"] = "0/5",
            ["epoch"] = "4",
            ["validation_balanced_accuracy"] = "0.6815",
            ["train_options"] = """{   "epochs": 5,   "augmentation": {     "rotate": true   } }""",
        };
        await using var host = await WebTestHost.StartAsync(options: WebTestHost.Limits, provenance: provenance);
        string text = await host.Client.GetStringAsync("/api/model");
        var model = JsonDocument.Parse(text).RootElement;
        var p = model.GetProperty("provenance");
        Assert.Equal(JsonValueKind.Number, p.GetProperty("epoch").ValueKind);
        Assert.Equal(4, p.GetProperty("epoch").GetInt32());
        Assert.Equal(0.6815, p.GetProperty("validation_balanced_accuracy").GetDouble());
        Assert.Equal("0/5", p.GetProperty("fold").GetString());
        Assert.Equal("wbc-nca train", p.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Object, p.GetProperty("train_options").ValueKind);
        Assert.Equal(5, p.GetProperty("train_options").GetProperty("epochs").GetInt32());
        Assert.True(p.GetProperty("train_options").GetProperty("augmentation").GetProperty("rotate").GetBoolean());
        Assert.Equal(JsonValueKind.Object, model.GetProperty("normalization").ValueKind);
        Assert.Equal("acevedo20", model.GetProperty("normalization").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Object, model.GetProperty("preprocessing").ValueKind);
        Assert.DoesNotContain("\\u0022", text);
        Assert.DoesNotContain("\\\"", text);
        Assert.Equal("Classifies white blood cells into 13 types; 68 % accurate on held-out Acevedo-20 cells (averaged over the types).",
            model.GetProperty("summary").GetString());
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
            var (decision, reason) = host.Bundle.Decision.Decide(want[i], location);
            string cli = JsonSerializer.Serialize(PredictionJson.CreateImage([new FilePrediction(names[i], want[i], null) { Location = location, Status = decision, Reason = reason }], withUncertainty: true));
            var cliKeys = JsonDocument.Parse(cli).RootElement.EnumerateObject().Select(o => o.Name).ToArray();
            // predict --json's fields (the first cell's answer and the cells), then the image's size for the page's boxes.
            Assert.Equal([.. cliKeys, "width", "height"], p.EnumerateObject().Select(o => o.Name).ToArray());
            int side = i == 0 ? 24 : 16;
            Assert.Equal((side, side), (p.GetProperty("width").GetInt32(), p.GetProperty("height").GetInt32()));
            Assert.Equal(1, p.GetProperty("cells").GetArrayLength());
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
    public async Task Views_true_answers_as_predict_with_views_and_says_so_and_a_bad_value_is_a_400()
    {
        await using var host = await WebTestHost.StartAsync();
        byte[] image = CellPng(4);
        var (status, json) = await Post(host.Client, "/api/predict?views=true", Form(("a.png", image)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(json.GetProperty("views").GetBoolean());
        var pre = new ImagePreprocessor(WebTestHost.Small.ImageSize, host.Bundle.Normalization);
        float[] input = pre.Process(ImageDecoder.Decode8(image, "x"));
        var want = new Predictor(host.Bundle).Predict([input], new PredictOptions(Samples: WebTestHost.Limits.Samples, Views: true))[0];
        var plain = new Predictor(host.Bundle).Predict([input], new PredictOptions(Samples: WebTestHost.Limits.Samples))[0];
        float[] logits = json.GetProperty("predictions")[0].GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        for (int c = 0; c < 13; c++) Assert.Equal(want.Logits[c], logits[c], 3);
        Assert.True(Enumerable.Range(0, 13).Max(c => Math.Abs(plain.Logits[c] - logits[c])) > 1e-3, "views should change the answer here");

        var (again, plainJson) = await Post(host.Client, "/api/predict", Form(("a.png", image)));
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.False(plainJson.GetProperty("views").GetBoolean());   // the server's default (serve --views turns it on)
        var (bad, error) = await Post(host.Client, "/api/predict?views=maybe", Form(("a.png", image)));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("views", error.GetProperty("error").GetString());
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
    public async Task A_truncated_png_alone_is_refused_with_400_naming_it_and_the_server_keeps_serving()
    {
        await using var host = await WebTestHost.StartAsync();
        byte[] png = CellPng(3);
        var (status, json) = await Post(host.Client, "/api/predict", Form(("broken.png", png[..(png.Length / 2)])));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("broken.png", json.GetProperty("file").GetString());
        Assert.StartsWith("broken.png: ", json.GetProperty("error").GetString());
        var entry = json.GetProperty("predictions").EnumerateArray().Single();
        Assert.Equal("error", entry.GetProperty("status").GetString());
        Assert.Equal(400, entry.GetProperty("http_status").GetInt32());
        await AssertStillServes(host);
    }

    [Fact]
    public async Task Each_image_of_a_request_is_answered_on_its_own_so_a_bad_one_does_not_reject_the_good_ones()
    {
        await using var host = await WebTestHost.StartAsync();
        byte[] good = CellPng(4), png = CellPng(3);
        var (status, json) = await Post(host.Client, "/api/predict", Form(
            ("good.png", good), ("broken.png", png[..(png.Length / 2)]), ("notes.png", Encoding.UTF8.GetBytes("not a picture"))));
        Assert.Equal(HttpStatusCode.OK, status);
        var entries = json.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(["good.png", "broken.png", "notes.png"], entries.Select(e => e.GetProperty("path").GetString()));

        var pre = new ImagePreprocessor(WebTestHost.Small.ImageSize, host.Bundle.Normalization);
        Prediction want = new Predictor(host.Bundle).Predict([pre.Process(ImageDecoder.Decode8(good, "x"))], new PredictOptions(Samples: WebTestHost.Limits.Samples))[0];
        Assert.Equal(want.ClassName, entries[0].GetProperty("class").GetString());
        Assert.Contains(entries[0].GetProperty("status").GetString(), new[] { "ok", "review", "not_a_cell" });
        Assert.Equal(want.Probabilities[want.Index], entries[0].GetProperty("confidence").GetSingle(), 5);

        Assert.Equal("error", entries[1].GetProperty("status").GetString());
        Assert.Equal(400, entries[1].GetProperty("http_status").GetInt32());
        Assert.StartsWith("broken.png: ", entries[1].GetProperty("error").GetString());
        Assert.False(entries[1].TryGetProperty("class", out _));
        Assert.Equal("error", entries[2].GetProperty("status").GetString());
        Assert.Equal(415, entries[2].GetProperty("http_status").GetInt32());
        Assert.Contains("not an image", entries[2].GetProperty("error").GetString());

        // The good image's answer is the one it gets alone.
        var (_, alone) = await Post(host.Client, "/api/predict", Form(("good.png", good)));
        Assert.Equal(alone.GetProperty("predictions")[0].GetProperty("probabilities").ToString(), entries[0].GetProperty("probabilities").ToString());
    }

    [Fact]
    public async Task With_preview_each_answer_carries_a_png_the_browser_can_show_also_for_a_tiff()
    {
        await using var host = await WebTestHost.StartAsync();
        var rgba = new byte[300 * 200 * 4];
        new Random(3).NextBytes(rgba);
        for (int i = 3; i < rgba.Length; i += 4) rgba[i] = 255;
        byte[] tiff = TestImages.Tiff(300, 200, 4, 8, BitMiracle.LibTiff.Classic.Photometric.RGB, rgba, unassociatedAlpha: true);
        var (status, json) = await Post(host.Client, "/api/predict?preview=true", Form(("BAS_0001.tiff", tiff), ("small.png", CellPng(6, size: 24))));
        Assert.Equal(HttpStatusCode.OK, status);
        var entries = json.GetProperty("predictions").EnumerateArray().ToArray();
        string url = entries[0].GetProperty("preview").GetString()!;
        Assert.StartsWith("data:image/png;base64,", url);
        byte[] png = Convert.FromBase64String(url["data:image/png;base64,".Length..]);
        Assert.Equal(ImageFormat.Png, ImageDecoder.DetectFormat(png));
        Rgb8Image preview = ImageDecoder.Decode8(png, "preview");
        Assert.Equal((256, 171), (preview.Width, preview.Height));   // longer side 256, aspect kept
        Rgb8Image small = ImageDecoder.Decode8(Convert.FromBase64String(entries[1].GetProperty("preview").GetString()!["data:image/png;base64,".Length..]), "small");
        Assert.Equal(ImageDecoder.Decode8(CellPng(6, size: 24), "x").Pixels, small.Pixels);   // small images exactly as decoded

        var (_, plain) = await Post(host.Client, "/api/predict", Form(("small.png", CellPng(6, size: 24))));
        Assert.False(plain.GetProperty("predictions")[0].TryGetProperty("preview", out _));   // only when asked for
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
    public async Task Explain_passes_the_models_view_class_and_seed_to_the_explainer_and_returns_its_maps_as_base64_png()
    {
        var explainer = new FakeExplainer();
        await using var host = await WebTestHost.StartAsync(explainer);
        var (status, json) = await Post(host.Client, "/api/explain?class=eosinophil&top=2&seed=7", Form(("a.png", CellPng(8, size: 40))));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("eosinophil", json.GetProperty("class").GetString());
        Assert.Equal("fake", json.GetProperty("explainer").GetString());
        var channels = json.GetProperty("channels").EnumerateArray().ToArray();
        Assert.Equal(2, channels.Length);
        Assert.Equal(FakeExplainer.Png, Convert.FromBase64String(channels[0].GetProperty("map_png").GetString()!));
        Assert.Equal(FakeExplainer.Png, Convert.FromBase64String(json.GetProperty("overlay_png").GetString()!));
        // The model's input as a PNG at its size, the focus in numbers and in one sentence, each channel's share in words' terms.
        Rgb8Image input = ImageDecoder.Decode8(Convert.FromBase64String(json.GetProperty("input_png").GetString()!), "input");
        Assert.Equal((16, 16), (input.Width, input.Height));
        Assert.Equal(explainer.Seen!.Image.Pixels, input.Pixels);
        Assert.Equal("the whole image, shrunk to 16×16 pixels", json.GetProperty("input").GetString());
        var focus = json.GetProperty("focus");
        Assert.Equal(0.8, focus.GetProperty("score").GetDouble());
        Assert.Equal(0.3, focus.GetProperty("cell_area").GetDouble());
        Assert.Equal(0.7, focus.GetProperty("maxima_on_cell").GetDouble());
        Assert.Equal("Most of the evidence lies on the cell.", focus.GetProperty("sentence").GetString());
        Assert.Equal(1.0 / 1.5, channels[0].GetProperty("share").GetDouble(), 12);   // relevances 1 and 0.5
        Assert.Equal(0.9, channels[0].GetProperty("on_cell").GetDouble());
        ExplainRequest seen = explainer.Seen!;
        Assert.Equal(1, seen.TargetClass);
        Assert.Equal(16, seen.Image.Width);                  // resized to the model's input
        Assert.Equal(7, seen.Seed);
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
        // The focus numbers are the library explainer's for the same upload.
        var library = new WbcNca.Explainability.Explainer(host.Bundle).Explain(ImageDecoder.Decode8(CellPng(9, size: 40), "a"), "a",
            new WbcNca.Explainability.ExplainOptions(Top: 3), new PredictOptions(Seed: WebTestHost.Limits.Seed));
        var focus = json.GetProperty("focus");
        Assert.Equal(library.Focus.Score, focus.GetProperty("score").GetDouble(), 9);
        Assert.Equal(library.Focus.AreaFraction, focus.GetProperty("cell_area").GetDouble(), 9);
        for (int k = 0; k < 3; k++)
            Assert.Equal(library.Focus.Channels[k].InsideShare, channels[k].GetProperty("on_cell").GetDouble(), 9);
        Assert.EndsWith(".", focus.GetProperty("sentence").GetString());
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

    /// <summary>Answers with fixed numbers: channel c+3 of relevance 1/(c+1), 90 % on the cell; focus 0.8 of a cell covering 0.3.</summary>
    internal sealed class FakeExplainer(double focus = 0.8, double cellArea = 0.3, double maximaOnCell = 0.7) : IExplainer
    {
        public static readonly byte[] Png = TestImages.Png(new Rgb8Image(2, 2, new byte[12]));

        public ExplainRequest? Seen { get; private set; }

        public string Name => "fake";

        public ExplainResponse Explain(ExplainRequest request)
        {
            Seen = request;
            var channels = Enumerable.Range(0, request.TopChannels).Select(c => new ChannelMapResponse(c + 3, 1.0 / (c + 1), Png, OnCell: 0.9)).ToList();
            return new ExplainResponse(request.TargetClass ?? 0, channels, Png, focus, cellArea, maximaOnCell);
        }
    }
}
