using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using WbcNca.Imaging;
using WbcNca.Review;
using WbcNca.Tests.Export;
using WbcNca.Tests.Imaging;
using WbcNca.Web;

namespace WbcNca.Tests.Web;

/// <summary>
/// Who may use a served page: Kestrel bound to every interface (0.0.0.0), asked only over 127.0.0.1, never over the
/// machine's network address; tokens, roles, cross-site writes and the rate limit.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class AccessTests : IDisposable
{
    private static readonly ModelIdentity Model = new("small.safetensors", new string('5', 64));
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-access-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    private string DbPath => Path.Combine(dir, "reviews.db");

    /// <summary>A server bound to <paramref name="urls"/> and a client that asks it over 127.0.0.1.</summary>
    private sealed class Served(WebApplication app, HttpClient client) : IAsyncDisposable
    {
        public WebApplication App { get; } = app;

        public HttpClient Client { get; } = client;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    private static async Task<Served> Serve(ReviewDatabase? db, AccessOptions? access = null, string urls = "http://0.0.0.0:0")
    {
        WebApplication app = WbcNcaServer.Create(OnnxExportTests.RandomBundle(WebTestHost.Small, 1), WebTestHost.Limits,
            configure: b => b.WebHost.UseUrls(urls), records: db is null ? null : new ReviewRecords(db, Model), access: access);
        await app.StartAsync();
        var bound = new Uri(app.Urls.Single());
        Assert.NotEqual("127.0.0.1", bound.Host);   // listening beyond loopback ...
        var loopback = new UriBuilder(bound) { Host = "127.0.0.1" }.Uri;   // ... and asked over loopback only
        return new Served(app, new HttpClient { BaseAddress = loopback, Timeout = TimeSpan.FromMinutes(1) });
    }

    private (ReviewDatabase Db, string Reviewer, string Viewer) Users()
    {
        var db = ReviewDatabase.Open(DbPath);
        string reviewer = AccessToken.New(), viewer = AccessToken.New();
        db.AddUser("Ann Reviewer", UserRole.Reviewer, AccessToken.Hash(reviewer), T0);
        db.AddUser("Vic Viewer", UserRole.Viewer, AccessToken.Hash(viewer), T0);
        return (db, reviewer, viewer);
    }

    private static byte[] CellPng(int seed)
    {
        var rng = new Random(seed);
        var px = new byte[24 * 24 * 3];
        rng.NextBytes(px);
        return TestImages.Png(new Rgb8Image(24, 24, px));
    }

    private static MultipartFormDataContent Form(string name, byte[] data) => new() { { new ByteArrayContent(data), "images", name } };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Json, HttpResponseMessage Response)> Send(
        HttpClient client, HttpMethod method, string url, string? token = null, HttpContent? content = null, Action<HttpRequestMessage>? headers = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        headers?.Invoke(request);
        HttpResponseMessage r = await client.SendAsync(request);
        string text = await r.Content.ReadAsStringAsync();
        Assert.True(r.Content.Headers.ContentType?.MediaType == "application/json", $"{method} {url}: {r.StatusCode} {r.Content.Headers.ContentType} {text}");
        return (r.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), r);
    }

    private static async Task<long> StoreCell(HttpClient client, string? token, string sample = "S1")
    {
        // The name the client claims is ignored where a token says who it is.
        var (status, json, _) = await Send(client, HttpMethod.Post, $"/api/predict?samples=1&sample={sample}&reviewer=Mallory", token, Form("a.png", CellPng(1)));
        Assert.Equal(HttpStatusCode.OK, status);
        return json.GetProperty("predictions")[0].GetProperty("cell_id").GetInt64();
    }

    [Fact]
    public async Task Bound_to_every_interface_the_api_answers_401_without_a_valid_token_while_the_page_stays_public()
    {
        var (db, reviewer, _) = Users();
        await using Served s = await Serve(db);

        foreach (string url in new[] { "/api/model", "/api/samples", "/api/me", "/api/export.csv", "/api/nothing-here", "/API/Samples", "/Api/cells/1/history", "/api/cells/1/image", "/api/cells/1/image?preview=true" })
        {
            var (status, json, r) = await Send(s.Client, HttpMethod.Get, url);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal(401, json.GetProperty("status").GetInt32());
            Assert.Contains("Authorization: Bearer TOKEN", json.GetProperty("error").GetString());
            Assert.Equal("Bearer", r.Headers.WwwAuthenticate.Single().Scheme);
        }
        var (post, _, _) = await Send(s.Client, HttpMethod.Post, "/api/predict?samples=1", content: Form("a.png", CellPng(1)));
        Assert.Equal(HttpStatusCode.Unauthorized, post);

        var (unknown, unknownJson, _) = await Send(s.Client, HttpMethod.Get, "/api/model", AccessToken.New());
        Assert.Equal((HttpStatusCode.Unauthorized, "this access token is not known to the server"), (unknown, unknownJson.GetProperty("error").GetString()));
        var (basic, basicJson, _) = await Send(s.Client, HttpMethod.Get, "/api/model", headers: r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", "YW5uOnNlY3JldA=="));
        Assert.Equal((HttpStatusCode.Unauthorized, "the Authorization header must be 'Bearer TOKEN'"), (basic, basicJson.GetProperty("error").GetString()));

        // The page, its script and the health check need no token: the page asks for one.
        using (HttpResponseMessage page = await s.Client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("id=\"sign-in\"", await page.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await s.Client.GetAsync("/app.js")).StatusCode);
        var doubledUri = new Uri($"{s.Client.BaseAddress!.GetLeftPart(UriPartial.Authority)}//api/samples");   // absolute: still 127.0.0.1
        Assert.Equal(("127.0.0.1", "//api/samples"), (doubledUri.Host, doubledUri.AbsolutePath));
        using (HttpResponseMessage doubled = await s.Client.GetAsync(doubledUri))   // not a way around the door
            Assert.NotEqual(HttpStatusCode.OK, doubled.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await s.Client.GetAsync("/health")).StatusCode);

        var (ok, me, _) = await Send(s.Client, HttpMethod.Get, "/api/me", reviewer);
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(("Ann Reviewer", "reviewer", true), (me.GetProperty("user").GetString(), me.GetProperty("role").GetString(), me.GetProperty("tokens_required").GetBoolean()));
        Assert.Equal(HttpStatusCode.OK, (await Send(s.Client, HttpMethod.Get, "/api/model", reviewer)).Status);
    }

    [Fact]
    public async Task A_viewer_classifies_and_reads_but_a_correction_storing_or_export_is_refused_with_403_and_writes_nothing()
    {
        var (db, reviewer, viewer) = Users();
        await using Served s = await Serve(db);
        long cell = await StoreCell(s.Client, reviewer);

        var (review, reviewJson, _) = await Send(s.Client, HttpMethod.Post, $"/api/cells/{cell}/review", viewer, Json("""{"class": "eosinophil"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, review);
        Assert.StartsWith("Vic Viewer is a viewer: confirming or correcting cells needs the reviewer role", reviewJson.GetProperty("error").GetString());
        Assert.Empty(db.History(cell)!);

        var (store, _, _) = await Send(s.Client, HttpMethod.Post, "/api/predict?samples=1&sample=S2", viewer, Form("b.png", CellPng(2)));
        Assert.Equal(HttpStatusCode.Forbidden, store);
        Assert.Single(db.Cells());
        foreach (string export in new[] { "/api/export.csv", "/api/audit.csv" })
            Assert.Equal(HttpStatusCode.Forbidden, (await Send(s.Client, HttpMethod.Get, export, viewer)).Status);

        // What a viewer may do: classify without storing, read samples, cells and histories.
        var (predict, predictJson, _) = await Send(s.Client, HttpMethod.Post, "/api/predict?samples=1", viewer, Form("b.png", CellPng(2)));
        Assert.Equal(HttpStatusCode.OK, predict);
        Assert.Equal(13, predictJson.GetProperty("predictions")[0].GetProperty("probabilities").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await Send(s.Client, HttpMethod.Get, "/api/samples/S1", viewer)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send(s.Client, HttpMethod.Get, $"/api/cells/{cell}/history", viewer)).Status);
        using (var image = new HttpRequestMessage(HttpMethod.Get, $"/api/cells/{cell}/image"))
        {
            image.Headers.Authorization = new AuthenticationHeaderValue("Bearer", viewer);
            using HttpResponseMessage r = await s.Client.SendAsync(image);
            Assert.Equal((HttpStatusCode.OK, "image/png"), (r.StatusCode, r.Content.Headers.ContentType?.MediaType));
            Assert.Equal(CellPng(1), await r.Content.ReadAsByteArrayAsync());   // the reviewer's upload
        }
        var (_, me, _) = await Send(s.Client, HttpMethod.Get, "/api/me", viewer);
        Assert.Equal("viewer", me.GetProperty("role").GetString());
    }

    [Fact]
    public async Task A_reviewers_correction_is_stored_under_the_tokens_user_not_the_name_the_client_sends()
    {
        var (db, reviewer, _) = Users();
        await using Served s = await Serve(db);
        long cell = await StoreCell(s.Client, reviewer);
        string other = db.Cell(cell)!.ModelLabel == "eosinophil" ? "monocyte" : "eosinophil";

        var (status, json, _) = await Send(s.Client, HttpMethod.Post, $"/api/cells/{cell}/review", reviewer, Json($$"""{"class": "{{other}}", "reviewer": "Mallory"}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Ann Reviewer", json.GetProperty("review").GetProperty("reviewer").GetString());
        CellReview stored = Assert.Single(db.History(cell)!);
        Assert.Equal((other, "correct", "Ann Reviewer"), (stored.Label, stored.Action, stored.Reviewer));

        // The audit trail shows who stored the cell, the model's answer and the correction with who made it.
        Assert.Equal("Ann Reviewer", db.Cell(cell)!.UploadedBy);
        using HttpRequestMessage audit = new(HttpMethod.Get, $"/api/audit.csv?cell={cell}") { Headers = { Authorization = new("Bearer", reviewer) } };
        using HttpResponseMessage r = await s.Client.SendAsync(audit);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        string[] lines = (await r.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains(",upload,,Ann Reviewer,", lines[1]);
        Assert.Contains($",model,{db.Cell(cell)!.ModelLabel},small.safetensors,", lines[2]);
        Assert.Contains($",correct,{other},Ann Reviewer,{stored.Id},", lines[3]);
    }

    [Fact]
    public async Task A_revoked_token_is_refused_from_the_next_request_on_a_running_server()
    {
        var (db, reviewer, viewer) = Users();
        await using Served s = await Serve(db);
        Assert.Equal(HttpStatusCode.OK, (await Send(s.Client, HttpMethod.Get, "/api/samples", viewer)).Status);

        // Revoked through another handle on the file, as 'wbc-nca users revoke' does from another process.
        ReviewDatabase.Open(DbPath).RevokeUser("Vic Viewer", T0.AddDays(1));
        var (status, json, _) = await Send(s.Client, HttpMethod.Get, "/api/samples", viewer);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("this access token was revoked; ask for a new one", json.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Send(s.Client, HttpMethod.Get, "/api/samples", reviewer)).Status);
    }

    [Fact]
    public async Task The_rate_limit_answers_429_with_retry_after_for_one_token_while_another_token_is_still_served()
    {
        var (db, reviewer, viewer) = Users();
        await using Served s = await Serve(db, new AccessOptions(RateLimitPerMinute: 2));
        byte[] png = CellPng(3);
        for (int i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await Send(s.Client, HttpMethod.Post, "/api/predict?samples=1", viewer, Form("a.png", png))).Status);

        var (limited, json, r) = await Send(s.Client, HttpMethod.Post, "/api/predict?samples=1", viewer, Form("a.png", png));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited);
        Assert.Equal(429, json.GetProperty("status").GetInt32());
        Assert.StartsWith("too many requests: 2 per minute for the token of Vic Viewer", json.GetProperty("error").GetString());
        int retry = (int)r.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(retry, 1, 30);   // one request comes back every 30 s
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(s.Client, HttpMethod.Post, "/api/explain", viewer, Form("a.png", png))).Status);

        // Another token has its own bucket; reading is not limited.
        Assert.Equal(HttpStatusCode.OK, (await Send(s.Client, HttpMethod.Post, "/api/predict?samples=1", reviewer, Form("a.png", png))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send(s.Client, HttpMethod.Get, "/api/samples", viewer)).Status);
    }

    [Fact]
    public async Task A_forged_cross_site_form_post_is_refused_and_writes_nothing()
    {
        // On loopback without tokens (one person at one desk) another site's page in that person's browser is the risk.
        var db = ReviewDatabase.Open(DbPath);
        await using WebTestHost host = await WebTestHost.StartAsync(records: new ReviewRecords(db, Model));
        long cell = await StoreCell(host.Client, token: null);
        int cells = db.Cells().Count;

        var form = new FormUrlEncodedContent([new("class", "eosinophil"), new("reviewer", "evil")]);
        var (forged, forgedJson, _) = await Send(host.Client, HttpMethod.Post, $"/api/cells/{cell}/review", content: form,
            headers: r => r.Headers.Add("Origin", "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, forged);
        Assert.StartsWith("cross-site request refused", forgedJson.GetProperty("error").GetString());

        // JSON in a text/plain form (which needs no preflight) from a browser that names the site in Sec-Fetch-Site.
        var (plain, _, _) = await Send(host.Client, HttpMethod.Post, $"/api/cells/{cell}/review", content: new StringContent("""{"class": "eosinophil"}""", Encoding.UTF8, "text/plain"),
            headers: r => r.Headers.Add("Sec-Fetch-Site", "cross-site"));
        Assert.Equal(HttpStatusCode.Forbidden, plain);
        var (upload, _, _) = await Send(host.Client, HttpMethod.Post, "/api/predict?samples=1&sample=Forged", content: Form("x.png", CellPng(4)),
            headers: r => r.Headers.Add("Origin", "null"));
        Assert.Equal(HttpStatusCode.Forbidden, upload);

        // A form body is refused even without those headers: a review is JSON.
        var (formType, formTypeJson, _) = await Send(host.Client, HttpMethod.Post, $"/api/cells/{cell}/review", content: new FormUrlEncodedContent([new("class", "eosinophil")]));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, formType);
        Assert.Contains("Content-Type: application/json", formTypeJson.GetProperty("error").GetString());

        Assert.Empty(db.History(cell)!);
        Assert.Equal(cells, db.Cells().Count);

        // The page's own request (same origin) goes through.
        var (own, _, _) = await Send(host.Client, HttpMethod.Post, $"/api/cells/{cell}/review", content: Json("""{"class": "eosinophil"}"""),
            headers: r => { r.Headers.Add("Origin", "http://localhost"); r.Headers.Add("Sec-Fetch-Site", "same-origin"); });
        Assert.Equal(HttpStatusCode.OK, own);
        Assert.Single(db.History(cell)!);
    }

    [Fact]
    public void Serving_beyond_loopback_without_a_user_database_or_without_a_valid_user_is_refused_in_one_line()
    {
        var none = Assert.Throws<WbcNcaException>(() => AccessControl.Create(new AccessOptions(), "http://0.0.0.0:5080", null));
        Assert.StartsWith("--urls http://0.0.0.0:5080 serves beyond this machine, so every client needs an access token, and tokens are kept in the review database: give --db PATH", none.Message);
        var db = ReviewDatabase.Open(DbPath);
        var empty = Assert.Throws<WbcNcaException>(() => AccessControl.Create(new AccessOptions(), "http://[::]:5080", db));
        Assert.Equal($"{DbPath}: has no user with a valid token, and --urls http://[::]:5080 serves beyond this machine, so every client needs an access token: add one with 'wbc-nca users add NAME --role reviewer --db {DbPath}'", empty.Message);
        db.AddUser("ann", UserRole.Viewer, AccessToken.Hash(AccessToken.New()), T0);
        db.RevokeUser("ann", T0);
        Assert.Throws<WbcNcaException>(() => AccessControl.Create(new AccessOptions(RequireTokens: true), null, db));
        Assert.DoesNotContain('\n', empty.Message);

        Assert.True(AccessControl.Create(new AccessOptions(), "http://0.0.0.0:5080", Users().Db).TokensRequired);
        Assert.False(AccessControl.Create(new AccessOptions(InsecureNoAuth: true), "http://0.0.0.0:5080", null).TokensRequired);
        Assert.False(AccessControl.Create(new AccessOptions(), null, null).TokensRequired);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", null)]
    [InlineData("http://localhost:5080", null)]
    [InlineData("http://[::1]:5080;http://127.0.0.2:1", null)]
    [InlineData("http://0.0.0.0:5080", "http://0.0.0.0:5080")]
    [InlineData("http://127.0.0.1:5080;http://[::]:5080", "http://[::]:5080")]
    [InlineData("http://*:5080", "http://*:5080")]
    [InlineData("http://192.168.1.20:5080", "http://192.168.1.20:5080")]
    [InlineData("http://lab-server:5080", "http://lab-server:5080")]
    [InlineData("http://unix:/run/wbc-nca.sock", "http://unix:/run/wbc-nca.sock")]
    public void Only_loopback_addresses_count_as_this_machine(string urls, string? beyond)
    {
        Assert.Equal(beyond, ListenAddresses.BeyondLoopback(ListenAddresses.Parse(urls)));
    }

    [Fact]
    public async Task On_loopback_without_require_auth_a_request_without_a_token_is_served_as_before_and_a_token_still_counts()
    {
        var (db, _, viewer) = Users();
        await using Served s = await ServeLoopback(db, new AccessOptions());
        var (status, me, _) = await Send(s.Client, HttpMethod.Get, "/api/me");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((JsonValueKind.Null, "reviewer", false), (me.GetProperty("user").ValueKind, me.GetProperty("role").GetString(), me.GetProperty("tokens_required").GetBoolean()));
        Assert.Equal(HttpStatusCode.OK, (await Send(s.Client, HttpMethod.Get, "/api/samples")).Status);
        long cell = await StoreCell(s.Client, null);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(s.Client, HttpMethod.Post, $"/api/cells/{cell}/review", viewer, Json("""{"confirm": true}"""))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(s.Client, HttpMethod.Get, "/api/samples", AccessToken.New())).Status);

        await using Served required = await ServeLoopback(db, new AccessOptions(RequireTokens: true));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(required.Client, HttpMethod.Get, "/api/samples")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send(required.Client, HttpMethod.Get, "/api/samples", viewer)).Status);
    }

    private static async Task<Served> ServeLoopback(ReviewDatabase db, AccessOptions access)
    {
        WebApplication app = WbcNcaServer.Create(OnnxExportTests.RandomBundle(WebTestHost.Small, 1), WebTestHost.Limits,
            configure: b => b.WebHost.UseUrls("http://127.0.0.1:0"), records: new ReviewRecords(db, Model), access: access);
        await app.StartAsync();
        return new Served(app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromMinutes(1) });
    }
}
