using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using WbcNca.Review;
using WbcNca.Tests.Export;
using WbcNca.Web;

namespace WbcNca.Tests.Web;

/// <summary>
/// The page on a server that asks for tokens (bound to every interface, opened over 127.0.0.1 in chromium; see
/// <see cref="BrowserTests"/>): signing in, a reviewer's confirmation under the token's name, the audit download, a
/// viewer's page without review controls.
/// </summary>
[Collection(TorchCollection.Name)]
public class SignInBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [SkippableFact]
    public async Task The_page_asks_for_a_token_keeps_it_for_the_tab_records_reviews_under_its_user_and_shows_a_viewer_no_review_controls()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is absent (apt-get install chromium; .ci/run does): the browser test needs it");
        string dir = Directory.CreateTempSubdirectory("wbc-nca-sign-in-browser-").FullName;
        var db = ReviewDatabase.Open(Path.Combine(dir, "reviews.db"));
        string reviewer = AccessToken.New(), viewer = AccessToken.New();
        db.AddUser("Tess", UserRole.Reviewer, AccessToken.Hash(reviewer), DateTimeOffset.UtcNow);
        db.AddUser("Vic", UserRole.Viewer, AccessToken.Hash(viewer), DateTimeOffset.UtcNow);
        await using WebApplication app = WbcNcaServer.Create(OnnxExportTests.RandomBundle(WebTestHost.Small, 1), new WebOptions(Samples: 1),
            configure: b => b.WebHost.UseUrls("http://0.0.0.0:0"), records: new ReviewRecords(db, new ModelIdentity("small.safetensors", new string('7', 64))));
        await app.StartAsync();
        string url = new UriBuilder(new Uri(app.Urls.Single())) { Host = "127.0.0.1" }.Uri.ToString();   // asked over loopback only
        try
        {
            var (name, data) = BrowserTests.CellImages()[0];
            string file = Path.Combine(dir, name);
            File.WriteAllBytes(file, data);
            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
            var consoleErrors = new List<string>();
            page.Console += (_, m) => { if (m.Type == "error" && !m.Text.Contains("status of 401", StringComparison.Ordinal)) consoleErrors.Add($"{m.Text} ({m.Location})"); };

            // The page loads without a token and asks for one.
            await page.GotoAsync(url);
            await page.WaitForSelectorAsync("#sign-in:not([hidden])", new() { Timeout = 30_000 });
            Assert.Null(await page.GetAttributeAsync("body", "data-ready"));

            // A wrong token: still asked, with the server's reason.
            await page.FillAsync("#token", AccessToken.New());
            await page.ClickAsync("#sign-in-form button[type=submit]");
            await page.WaitForFunctionAsync("() => document.querySelector('#sign-in-error').textContent.includes('not known')", null, new() { Timeout = 10_000 });

            await page.FillAsync("#token", reviewer);
            await page.ClickAsync("#sign-in-form button[type=submit]");
            await page.WaitForSelectorAsync("body[data-ready=true]", new() { Timeout = 30_000 });
            Assert.True(await page.IsHiddenAsync("#sign-in"));
            Assert.Equal("Signed in as Tess (reviewer).", (await page.InnerTextAsync("#user-text")).Trim());
            Assert.True(await page.IsVisibleAsync("#sample-bar"));
            Assert.Equal("Tess", await page.InputValueAsync("#reviewer"));
            Assert.True(await page.Locator("#reviewer").EvaluateAsync<bool>("e => e.readOnly"));
            // Kept in the tab's sessionStorage, never in a cookie.
            Assert.Equal(reviewer, await page.EvaluateAsync<string>("() => sessionStorage.getItem('wbc-nca-token')"));
            Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie"));

            await page.SetInputFilesAsync("#files", file);
            await page.WaitForSelectorAsync(".card[data-state=done][data-cell-id]", new() { Timeout = 60_000 });
            await page.Locator(".card button.confirm").ClickAsync();
            await page.WaitForSelectorAsync(".card[data-label]", new() { Timeout = 10_000 });
            StoredCell stored = Assert.Single(db.Cells());
            Assert.Equal("Tess", Assert.Single(db.History(stored.Id)!).Reviewer);

            // The audit trail downloads with the token (a plain link would not carry it).
            IDownload download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#audit-csv"));
            string[] audit = File.ReadAllLines(await download.PathAsync());
            Assert.Equal(AuditTrail.CsvHeader, audit[0]);
            Assert.Contains(",upload,,Tess,", audit[1]);   // the cells were stored under the token's user too
            Assert.Contains(",confirm,", audit[3]);
            Assert.Contains(",Tess,", audit[3]);

            // Signed out, then in as a viewer: classification without storing and without review controls.
            await page.ClickAsync("#sign-out");
            await page.WaitForSelectorAsync("#sign-in:not([hidden])", new() { Timeout = 30_000 });
            Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('wbc-nca-token')"));
            await page.FillAsync("#token", viewer);
            await page.ClickAsync("#sign-in-form button[type=submit]");
            await page.WaitForSelectorAsync("body[data-ready=true]", new() { Timeout = 30_000 });
            Assert.True(await page.IsVisibleAsync("#viewer-note"));
            Assert.True(await page.IsHiddenAsync("#sample-bar"));
            await page.SetInputFilesAsync("#files", file);
            await page.WaitForSelectorAsync(".card[data-state=done]", new() { Timeout = 60_000 });
            Assert.Null(await page.Locator(".card").GetAttributeAsync("data-cell-id"));
            Assert.Single(db.Cells());
            Assert.True(consoleErrors.Count == 0, string.Join(" | ", consoleErrors));
        }
        finally
        {
            await app.StopAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
