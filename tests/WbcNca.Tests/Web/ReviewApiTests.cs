using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WbcNca.Imaging;
using WbcNca.Review;
using WbcNca.Tests.Imaging;
using WbcNca.Web;

namespace WbcNca.Tests.Web;

[Collection(TorchCollection.Name)]
public sealed class ReviewApiTests : IDisposable
{
    private static readonly ModelIdentity Model = new("small.safetensors", new string('5', 64));
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-review-api-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>A clock that says what the test sets.</summary>
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static byte[] CellPng(int seed)
    {
        var rng = new Random(seed);
        var px = new byte[24 * 24 * 3];
        rng.NextBytes(px);
        return TestImages.Png(new Rgb8Image(24, 24, px));
    }

    private static MultipartFormDataContent Form(params (string Name, byte[] Data)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, data) in files) form.Add(new ByteArrayContent(data), "images", name);
        return form;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> Send(HttpClient client, HttpMethod method, string url, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        using HttpResponseMessage r = await client.SendAsync(request);
        string text = await r.Content.ReadAsStringAsync();
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        return (r.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<(WebTestHost Host, ReviewDatabase Db, Clock Clock)> Start()
    {
        var db = ReviewDatabase.Open(Path.Combine(dir, "reviews.db"));
        var clock = new Clock(new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.Zero));
        return (await WebTestHost.StartAsync(records: new ReviewRecords(db, Model, clock)), db, clock);
    }

    /// <summary>Uploads cells as one sample and returns their ids.</summary>
    private static async Task<long[]> Upload(HttpClient client, string sample, params (string Name, byte[] Data)[] files)
    {
        var (status, json) = await Send(client, HttpMethod.Post, $"/api/predict?sample={Uri.EscapeDataString(sample)}", Form(files));
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. json.GetProperty("predictions").EnumerateArray().Where(p => p.TryGetProperty("cell_id", out _)).Select(p => p.GetProperty("cell_id").GetInt64())];
    }

    [Fact]
    public async Task Predict_with_a_sample_stores_each_answered_cell_with_its_image_answer_and_model_and_returns_its_id()
    {
        var (host, db, _) = await Start();
        await using var _host = host;
        byte[] a = CellPng(1), b = CellPng(2);
        var (status, json) = await Send(host.Client, HttpMethod.Post, "/api/predict?sample=%20Smear%2012%20", Form(("a.png", a), ("notes.png", "text"u8.ToArray()), ("b.png", b)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Smear 12", json.GetProperty("sample").GetString());
        Assert.True(json.GetProperty("stored").GetBoolean());
        JsonElement[] answers = [.. json.GetProperty("predictions").EnumerateArray()];
        Assert.False(answers[1].TryGetProperty("cell_id", out _));   // an unreadable file is not a cell
        long idA = answers[0].GetProperty("cell_id").GetInt64(), idB = answers[2].GetProperty("cell_id").GetInt64();
        Assert.Equal(idA + 1, idB);

        StoredCell cell = db.Cell(idA)!;
        Assert.Equal(("Smear 12", "a.png", Model), (cell.Sample, cell.FileName, cell.Model));
        Assert.Equal(answers[0].GetProperty("class").GetString(), cell.Class);
        Assert.Equal(answers[0].GetProperty("status").GetString(), cell.Status);
        Assert.Equal(answers[0].GetProperty("reason").GetString(), cell.Reason);
        Assert.Equal(answers[0].GetProperty("confidence").GetDouble(), cell.Confidence, 6);
        Assert.Equal(answers[0].GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()), cell.Probabilities);
        Assert.Equal(answers[0].GetProperty("probability_std").EnumerateArray().Select(p => p.GetSingle()), cell.ProbabilityStd!);
        Assert.Equal(a, db.Image(cell.ImageSha256));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(a)), cell.ImageSha256);
        Assert.Equal(new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.Zero), cell.Time);
        Assert.Equal(2, db.Cells().Count);
        Assert.Equal(ReviewEndpoints.DefaultReviewer, cell.UploadedBy);   // no token and no name given


        // Without a sample the answers are not stored.
        var (plain, plainJson) = await Send(host.Client, HttpMethod.Post, "/api/predict", Form(("c.png", CellPng(3))));
        Assert.Equal(HttpStatusCode.OK, plain);
        Assert.False(plainJson.TryGetProperty("stored", out _));
        Assert.False(plainJson.GetProperty("predictions")[0].TryGetProperty("cell_id", out _));
        Assert.Equal(2, db.Cells().Count);

        var (bad, badJson) = await Send(host.Client, HttpMethod.Post, "/api/predict?sample=a%2Fb", Form(("c.png", CellPng(3))));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("the sample name must not contain '/', '\\' or control characters", badJson.GetProperty("error").GetString());
        Assert.Equal(2, db.Cells().Count);
        Assert.True(JsonDocument.Parse(await host.Client.GetStringAsync("/api/model")).RootElement.GetProperty("reviews").GetBoolean());

        // On a server without tokens the page's name is who stored the cells; a name with control characters is a 400.
        var (named, namedJson) = await Send(host.Client, HttpMethod.Post, "/api/predict?sample=S2&reviewer=%20Ann%20", Form(("a.png", a)));
        Assert.Equal(HttpStatusCode.OK, named);
        Assert.Equal("Ann", db.Cell(namedJson.GetProperty("predictions")[0].GetProperty("cell_id").GetInt64())!.UploadedBy);
        var (controlled, _) = await Send(host.Client, HttpMethod.Post, "/api/predict?sample=S2&reviewer=a%07b", Form(("a.png", a)));
        Assert.Equal(HttpStatusCode.BadRequest, controlled);
        Assert.Equal(3, db.Cells().Count);
    }

    [Fact]
    public async Task A_correction_is_stored_with_who_and_when_the_history_keeps_every_review_and_the_sample_count_follows()
    {
        var (host, db, clock) = await Start();
        await using var _host = host;
        long[] ids = await Upload(host.Client, "S1", ("a.png", CellPng(1)), ("b.png", CellPng(2)), ("c.png", CellPng(4)));
        StoredCell before = db.Cell(ids[0])!;
        string modelLabel = before.ModelLabel;
        string other = modelLabel == "eosinophil" ? "monocyte" : "eosinophil";

        clock.Now = clock.Now.AddMinutes(5);
        var (status, json) = await Send(host.Client, HttpMethod.Post, $"/api/cells/{ids[0]}/review", Json($$"""{"class": "{{other.ToUpperInvariant()}}", "reviewer": " Ann "}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement review = json.GetProperty("review");
        Assert.Equal((other, "correct", "Ann", "2025-05-06T07:13:09.000Z"),
            (review.GetProperty("label").GetString(), review.GetProperty("action").GetString(), review.GetProperty("reviewer").GetString(), review.GetProperty("time").GetString()));
        Assert.Equal(other, json.GetProperty("cell").GetProperty("label").GetString());
        Assert.Equal(before.Class, json.GetProperty("cell").GetProperty("class").GetString());   // the model's answer stays
        Assert.Equal(1, json.GetProperty("count").GetProperty("classes").GetProperty(other).GetProperty("count").GetInt32());

        clock.Now = clock.Now.AddMinutes(1);
        var (confirmed, confirmJson) = await Send(host.Client, HttpMethod.Post, $"/api/cells/{ids[0]}/review", Json("""{"confirm": true}"""));
        Assert.Equal(HttpStatusCode.OK, confirmed);
        Assert.Equal((modelLabel, "confirm", "local"), (confirmJson.GetProperty("review").GetProperty("label").GetString(),
            confirmJson.GetProperty("review").GetProperty("action").GetString(), confirmJson.GetProperty("review").GetProperty("reviewer").GetString()));

        var (_, history) = await Send(host.Client, HttpMethod.Get, $"/api/cells/{ids[0]}/history");
        Assert.Equal(before.Class, history.GetProperty("cell").GetProperty("class").GetString());
        Assert.Equal([(other, "Ann", "2025-05-06T07:13:09.000Z"), (modelLabel, "local", "2025-05-06T07:14:09.000Z")],
            history.GetProperty("history").EnumerateArray().Select(h => (h.GetProperty("label").GetString(), h.GetProperty("reviewer").GetString(), h.GetProperty("time").GetString())));

        // The sample: every cell and its count, the reviewed cells under their current label.
        await Send(host.Client, HttpMethod.Post, $"/api/cells/{ids[1]}/review", Json("""{"class": "basophil", "reviewer": "Ann"}"""));
        await Send(host.Client, HttpMethod.Post, $"/api/cells/{ids[2]}/review", Json("""{"class": "basophil", "reviewer": "Ann"}"""));
        var (_, sample) = await Send(host.Client, HttpMethod.Get, "/api/samples/S1");
        Assert.Equal(3, sample.GetProperty("cells").GetArrayLength());
        JsonElement count = sample.GetProperty("count");
        int expectBasophil = 2 + (modelLabel == "basophil" ? 1 : 0);
        Assert.Equal(expectBasophil, count.GetProperty("classes").GetProperty("basophil").GetProperty("count").GetInt32());
        Assert.Equal(modelLabel == "not_a_cell" ? 2 : 3, count.GetProperty("answered").GetInt32());
        Assert.Equal(modelLabel == "not_a_cell" ? 1 : 0, count.GetProperty("not_a_cell").GetInt32());
        var (_, list) = await Send(host.Client, HttpMethod.Get, "/api/samples");
        JsonElement s1 = list.GetProperty("samples").EnumerateArray().Single();
        Assert.Equal(("S1", 3, 3, 0), (s1.GetProperty("sample").GetString(), s1.GetProperty("cells").GetInt32(), s1.GetProperty("reviewed").GetInt32(), s1.GetProperty("to_review").GetInt32()));

        using HttpResponseMessage csv = await host.Client.GetAsync("/api/export.csv?sample=S1");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment; filename=\"wbc-nca-reviews-S1.csv\"", csv.Content.Headers.ContentDisposition?.ToString());
        string[] rows = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ReviewExport.CsvHeader, rows[0]);
        Assert.Equal(4, rows.Length);
        Assert.StartsWith($"{ids[0]},S1,a.png,", rows[1]);
        Assert.Contains($",{modelLabel},confirm,local,2025-05-06T07:14:09.000Z,2,", rows[1]);
    }

    [Fact]
    public async Task The_sample_list_gives_the_newest_page_a_filtered_page_and_the_total()
    {
        var (host, _, clock) = await Start();
        await using var _host = host;
        foreach (string name in new[] { "Smear 1", "Marrow", "Smear 2", "Smear 3" })
        {
            await Upload(host.Client, name, ("a.png", CellPng(name.Length)));
            clock.Now = clock.Now.AddMinutes(1);
        }
        static string[] Names(JsonElement list) => [.. list.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("sample").GetString()!)];

        var (_, all) = await Send(host.Client, HttpMethod.Get, "/api/samples");
        Assert.Equal(["Smear 1", "Marrow", "Smear 2", "Smear 3"], Names(all));
        Assert.Equal((4, "oldest", 0), (all.GetProperty("total").GetInt32(), all.GetProperty("order").GetString(), all.GetProperty("offset").GetInt32()));
        Assert.False(all.TryGetProperty("limit", out _));
        var (_, page) = await Send(host.Client, HttpMethod.Get, "/api/samples?order=newest&limit=2&offset=1");
        Assert.Equal(["Smear 2", "Marrow"], Names(page));
        Assert.Equal((4, 2), (page.GetProperty("total").GetInt32(), page.GetProperty("limit").GetInt32()));
        var (_, found) = await Send(host.Client, HttpMethod.Get, "/api/samples?order=newest&q=%20smear%20");
        Assert.Equal(["Smear 3", "Smear 2", "Smear 1"], Names(found));
        Assert.Equal((3, "smear"), (found.GetProperty("total").GetInt32(), found.GetProperty("q").GetString()));
    }

    public static TheoryData<string, string, int, string> BadReviews => new()
    {
        { "/api/cells/999/review", """{"class": "basophil"}""", 404, "no cell 999" },
        { "/api/cells/abc/review", """{"class": "basophil"}""", 404, "no cell abc (cell ids are numbers)" },
        { "/api/cells/{id}/review", """{"class": "platelet"}""", 400, "unknown class 'platelet' for cell {id} (expected one of: basophil," },
        { "/api/cells/{id}/review", """{"class": "basophil", """, 400, "the review is not valid JSON" },
        { "/api/cells/{id}/review", "", 400, "the review is not valid JSON" },
        { "/api/cells/{id}/review", """["basophil"]""", 400, "the review must be a JSON object" },
        { "/api/cells/{id}/review", """{"clas": "basophil"}""", 400, "unknown field 'clas' in the review (expected class, confirm, reviewer)" },
        { "/api/cells/{id}/review", """{"class": 3}""", 400, "'class' has the wrong type (number;" },
        { "/api/cells/{id}/review", """{"class": "basophil", "confirm": true}""", 400, "give either 'class' (a correction) or 'confirm': true, not both" },
        { "/api/cells/{id}/review", """{"reviewer": "ann"}""", 400, "the review names no class" },
        { "/api/cells/{id}/review", """{"confirm": true, "reviewer": "a\u0007b"}""", 400, "'reviewer' must not contain control characters" },
        { "/api/cells/{id}/review", "{\"class\": \"basophil\", \"reviewer\": \"" + new string('x', 5000) + "\"}", 413, "review body of 5037 bytes is over the limit of 4096 bytes" },
        { "/api/samples/nope", "", 404, "no sample 'nope'" },
        { "/api/cells/999/history", "", 404, "no cell 999" },
        { "/api/cells/999", "", 404, "no cell 999" },
        { "/api/samples?limit=0", "", 400, "query parameter 'limit' must be an integer in 1..1000 (got '0')" },
        { "/api/samples?limit=ten", "", 400, "query parameter 'limit' must be an integer in 1..1000" },
        { "/api/samples?offset=-1", "", 400, "query parameter 'offset' must be an integer in 0..2147483647 (got '-1')" },
        { "/api/samples?order=latest", "", 400, "query parameter 'order' must be 'oldest' or 'newest' (got 'latest')" },
    };

    [Theory]
    [MemberData(nameof(BadReviews))]
    public async Task A_bad_review_request_gets_a_json_error_and_writes_nothing(string url, string body, int status, string error)
    {
        var (host, db, _) = await Start();
        await using var _host = host;
        long id = (await Upload(host.Client, "S1", ("a.png", CellPng(1))))[0];
        url = url.Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        bool post = url.EndsWith("/review", StringComparison.Ordinal);
        var (got, json) = await Send(host.Client, post ? HttpMethod.Post : HttpMethod.Get, url, post ? Json(body) : null);
        Assert.Equal((HttpStatusCode)status, got);
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        Assert.StartsWith(error.Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), json.GetProperty("error").GetString());
        Assert.Empty(db.History(id)!);
        Assert.Single(db.Cells());
    }

    [Fact]
    public async Task A_review_body_without_a_length_over_the_limit_is_refused_with_413_and_a_get_is_405()
    {
        var (host, db, _) = await Start();
        await using var _host = host;
        long id = (await Upload(host.Client, "S1", ("a.png", CellPng(1))))[0];
        // Sent in chunks without Content-Length: the server counts what it reads.
        var streamed = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"class\": \"basophil\", \"reviewer\": \"" + new string('y', 10_000) + "\"}")));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cells/{id}/review") { Content = streamed })
        {
            request.Headers.TransferEncodingChunked = true;
            using HttpResponseMessage r = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
            Assert.Equal("review body is over the limit of 4096 bytes", JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }
        var (got, json) = await Send(host.Client, HttpMethod.Get, $"/api/cells/{id}/review");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, got);
        Assert.StartsWith($"/api/cells/{id}/review takes POST", json.GetProperty("error").GetString());
        Assert.Empty(db.History(id)!);
    }

    [Fact]
    public async Task Concurrent_reviewers_through_the_api_lose_no_review()
    {
        var (host, db, _) = await Start();
        await using var _host = host;
        long[] ids = await Upload(host.Client, "S1", ("a.png", CellPng(1)), ("b.png", CellPng(2)), ("c.png", CellPng(3)));
        const int reviewers = 8, each = 25;
        var tasks = Enumerable.Range(0, reviewers).Select(w => Task.Run(async () =>
        {
            var acknowledged = new List<long>();
            for (int k = 0; k < each; k++)
            {
                string label = WbcNca.Data.CellClasses.Fine[(w + k) % 13];
                var (status, json) = await Send(host.Client, HttpMethod.Post, $"/api/cells/{ids[k % ids.Length]}/review", Json($$"""{"class": "{{label}}", "reviewer": "r{{w}}"}"""));
                Assert.Equal(HttpStatusCode.OK, status);
                acknowledged.Add(json.GetProperty("review").GetProperty("review_id").GetInt64());
            }
            return acknowledged;
        })).ToArray();
        long[] all = [.. (await Task.WhenAll(tasks)).SelectMany(a => a)];
        Assert.Equal(reviewers * each, all.Distinct().Count());
        var stored = ids.SelectMany(id => db.History(id)!).ToList();
        Assert.Equal(all.Order(), stored.Select(r => r.Id).Order());
        for (int w = 0; w < reviewers; w++) Assert.Equal(each, stored.Count(r => r.Reviewer == $"r{w}"));
    }

    private static async Task<(HttpStatusCode Status, string? Type, byte[] Body, HttpResponseMessage Response)> GetBytes(HttpClient client, string url)
    {
        HttpResponseMessage r = await client.GetAsync(url);
        return (r.StatusCode, r.Content.Headers.ContentType?.MediaType, await r.Content.ReadAsByteArrayAsync(), r);
    }

    [Fact]
    public async Task The_image_of_a_cell_is_its_stored_upload_with_its_type_or_a_png_preview_with_the_uploads_size()
    {
        var (host, _, _) = await Start();
        await using var _host = host;
        byte[] png = CellPng(1);
        byte[] jpeg = TestImages.Jpeg(new Rgb8Image(300, 200, Enumerable.Repeat((byte)210, 300 * 200 * 3).ToArray()));   // no white cell: one answer
        Rgb8Image tiffPixels = TestImages.Pattern(40, 30);
        byte[] tiff = TestImages.Tiff(40, 30, 3, 8, BitMiracle.LibTiff.Classic.Photometric.RGB, tiffPixels.Pixels.ToArray());
        long[] ids = await Upload(host.Client, "Smear 3", ("a.png", png), ("wide.jpg", jpeg), ("c.tif", tiff));
        Assert.Equal(3, ids.Length);   // one id per image: its first cell

        foreach (var (id, bytes, type) in new[] { (ids[0], png, "image/png"), (ids[1], jpeg, "image/jpeg"), (ids[2], tiff, "image/tiff") })
        {
            var (status, got, body, r) = await GetBytes(host.Client, $"/api/cells/{id}/image");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(type, got);
            Assert.Equal(bytes, body);   // the upload as it came, byte for byte
            Assert.False(r.Headers.Contains(ReviewEndpoints.ImageWidthHeader));
        }

        // The preview: a PNG a browser can show (also of a TIFF), longer side at most 256, and the upload's own size.
        foreach (var (id, w, h, pw, ph) in new[] { (ids[1], 300, 200, 256, 171), (ids[2], 40, 30, 40, 30) })
        {
            var (status, type, body, r) = await GetBytes(host.Client, $"/api/cells/{id}/image?preview=true");
            Assert.Equal((HttpStatusCode.OK, "image/png"), (status, type));
            Rgb8Image preview = ImageDecoder.Decode8(body, "preview.png");
            Assert.Equal((pw, ph), (preview.Width, preview.Height));
            Assert.Equal(w.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Headers.GetValues(ReviewEndpoints.ImageWidthHeader).Single());
            Assert.Equal(h.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Headers.GetValues(ReviewEndpoints.ImageHeightHeader).Single());
        }
        Rgb8Image small = ImageDecoder.Decode8((await GetBytes(host.Client, $"/api/cells/{ids[2]}/image?preview=1")).Body, "preview.png");
        Assert.Equal(tiffPixels.Pixels.ToArray(), small.Pixels.ToArray());   // small enough: the pixels as uploaded

        foreach (string url in new[] { "/api/cells/999/image", "/api/cells/abc/image" })
        {
            var (status, json) = await Send(host.Client, HttpMethod.Get, url);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.StartsWith($"no cell {url.Split('/')[3]}", json.GetProperty("error").GetString());
        }
        var (bad, badJson) = await Send(host.Client, HttpMethod.Get, $"/api/cells/{ids[0]}/image?preview=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("query parameter 'preview' must be true or false (got 'maybe')", badJson.GetProperty("error").GetString());

        // The sample names its cells' model with its classes, in the order of each cell's probabilities.
        var (_, sample) = await Send(host.Client, HttpMethod.Get, "/api/samples/Smear%203");
        JsonElement model = sample.GetProperty("models").EnumerateArray().Single();
        Assert.Equal((Model.FileName, Model.Sha256), (model.GetProperty("file").GetString(), model.GetProperty("sha256").GetString()));
        Assert.Equal(host.Bundle.Classes, model.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!));
    }

    [Fact]
    public async Task Without_records_the_server_answers_as_before_stores_nothing_and_the_review_api_answers_501()
    {
        await using var host = await WebTestHost.StartAsync();
        var (status, json) = await Send(host.Client, HttpMethod.Post, "/api/predict?sample=S1", Form(("a.png", CellPng(1))));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(json.GetProperty("stored").GetBoolean());
        Assert.False(json.GetProperty("predictions")[0].TryGetProperty("cell_id", out _));
        Assert.False(JsonDocument.Parse(await host.Client.GetStringAsync("/api/model")).RootElement.GetProperty("reviews").GetBoolean());
        foreach (var (method, url) in new[] { (HttpMethod.Post, "/api/cells/1/review"), (HttpMethod.Get, "/api/samples"), (HttpMethod.Get, "/api/samples/S1"), (HttpMethod.Get, "/api/cells/1/history"), (HttpMethod.Get, "/api/cells/1/image"), (HttpMethod.Get, "/api/export.csv") })
        {
            var (got, error) = await Send(host.Client, method, url, method == HttpMethod.Post ? Json("""{"confirm": true}""") : null);
            Assert.Equal(HttpStatusCode.NotImplemented, got);
            Assert.Equal("this server keeps no records, so cells cannot be reviewed here (start it with 'wbc-nca serve --db')", error.GetProperty("error").GetString());
        }
    }
}
