using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Review;
using WbcNca.Tests.Export;
using WbcNca.Web;

namespace WbcNca.Tests.Web;

/// <summary>The review flow of the page in chromium (see <see cref="BrowserTests"/>), on a server that keeps records.</summary>
[Collection(TorchCollection.Name)]
public class ReviewBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static async Task<Dictionary<string, int>> SummaryCounts(IPage page) =>
        (await page.EvalOnSelectorAllAsync<string[][]>("#summary tr[data-class], #summary tr[data-row]",
            "rows => rows.map(r => [r.dataset.class || r.dataset.row, r.querySelector('td.count').textContent.trim()])"))
        .ToDictionary(r => r[0], r => int.Parse(r[1], CultureInfo.InvariantCulture));

    private static int At(Dictionary<string, int> counts, string key) => counts.GetValueOrDefault(key);

    [SkippableFact]
    public async Task A_sample_is_reviewed_with_a_key_and_a_button_the_count_follows_and_the_database_keeps_the_corrections()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is absent (apt-get install chromium; .ci/run does): the browser test needs it");
        var all = BrowserTests.CellImages();
        all.Add(("smear-a.png", Smear(3)));
        all.Add(("smear-b.png", Smear(4)));
        // A random model is sure of everything; a high temperature spreads its probabilities so that confidences differ.
        ModelBundle bundle = OnnxExportTests.RandomBundle(WebTestHost.Small, 1) with { Calibration = new Calibration(Temperature: 200) };
        // Uploaded most confident first; the review threshold between the two most confident cells with a nucleus: the
        // first cell is answered, the other cells with a nucleus go to review, so the queue shows later cells first.
        var pre = new ImagePreprocessor(bundle.Config.ImageSize, bundle.Normalization);
        var answers = new Predictor(bundle).Predict(all.Select(c => pre.Process(ImageDecoder.Decode8(c.Data, c.Name))).ToList(), new PredictOptions(Samples: 1));
        var ranked = all.Select((c, i) => (Cell: c, answers[i].Confidence, CellLocator.Locate(ImageDecoder.Decode8(c.Data, c.Name)).CellFound))
            .OrderByDescending(x => x.CellFound).ThenByDescending(x => x.Confidence).ToList();
        var cells = ranked.Select(x => x.Cell).ToList();
        bundle = bundle with { Decision = new DecisionRule(ReviewBelow: (ranked[0].Confidence + ranked[1].Confidence) / 2) };

        string dir = Directory.CreateTempSubdirectory("wbc-nca-review-browser-").FullName;
        var db = ReviewDatabase.Open(Path.Combine(dir, "reviews.db"));
        await using WebApplication app = WbcNcaServer.Create(bundle, new WebOptions(Samples: 1), configure: b => b.WebHost.UseUrls("http://127.0.0.1:0"),
            records: new ReviewRecords(db, new ModelIdentity("small.safetensors", new string('7', 64))));
        await app.StartAsync();
        string url = app.Urls.Single();
        try
        {
            var files = cells.Select(c => { string p = Path.Combine(dir, c.Name); File.WriteAllBytes(p, c.Data); return p; }).ToList();
            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
            IPage page = await context.NewPageAsync();
            var consoleErrors = new List<string>();
            page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add($"{m.Text} ({m.Location})"); };

            await page.GotoAsync(url);
            await page.WaitForSelectorAsync("body[data-ready=true]", new() { Timeout = 30_000 });
            Assert.False(await page.IsVisibleAsync("#no-records"));
            Assert.True(await page.IsVisibleAsync("#sample-bar"));
            Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", await page.InputValueAsync("#sample-name"));   // a default name: the date and time
            await page.FillAsync("#sample-name", "Smear 7");
            await page.FillAsync("#reviewer", "Tess");
            await page.Locator("#reviewer").DispatchEventAsync("change");

            await page.SetInputFilesAsync("#files", files);
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('.card').length === {cells.Count} && !document.querySelector('.card[data-state=pending]')", null, new() { Timeout = 120_000 });
            Assert.True(consoleErrors.Count == 0, string.Join(" | ", consoleErrors));
            Assert.Equal(cells.Count, await page.Locator(".card[data-state=done]").CountAsync());
            Assert.True(await page.Locator("#sample-name").EvaluateAsync<bool>("e => e.readOnly"));   // the sample's name is fixed by its first upload
            Assert.Equal("Cells to review count once a person has confirmed or corrected them.", (await page.InnerTextAsync("#count-note")).Trim());

            // The review queue: cells to review first on the page, and the first of them is the current cell.
            string[] statuses = await page.EvalOnSelectorAllAsync<string[]>(".card", "cs => cs.map(c => c.dataset.status)");
            Assert.Equal("ok", statuses[0]);
            Assert.Equal("review", statuses[1]);
            var tops = new List<(string Status, double Y)>();
            foreach (ILocator card in await page.Locator(".card").AllAsync())
                tops.Add((await card.GetAttributeAsync("data-status") ?? "", (await card.BoundingBoxAsync())!.Y));
            double lastReview = tops.Where(t => t.Status == "review").Max(t => t.Y);
            Assert.All(tops.Where(t => t.Status != "review"), t => Assert.True(t.Y > lastReview, "a cell to review is shown after one that is not"));
            ILocator current = page.Locator(".card.current");
            Assert.Equal(1, await current.CountAsync());
            Assert.Equal("review", await current.GetAttributeAsync("data-status"));
            string firstFile = (await current.GetAttributeAsync("data-file"))!;
            long firstId = long.Parse((await current.GetAttributeAsync("data-cell-id"))!, CultureInfo.InvariantCulture);
            string modelClass = (await current.GetAttributeAsync("data-class"))!;

            // A key corrects the current cell: B is eosinophil (A if the model said eosinophil: basophil).
            (string key, string target) = modelClass == "eosinophil" ? ("a", "basophil") : ("b", "eosinophil");
            Assert.Equal($"{key.ToUpperInvariant()} · {target}", (await current.Locator($"select.correct option[value={target}]").InnerTextAsync()).Trim());
            var before = await SummaryCounts(page);
            await page.Locator("h1").ClickAsync();   // the keys act on the page, not on a text field
            await page.Keyboard.PressAsync(key);
            ILocator corrected = page.Locator($".card[data-file='{firstFile}']");
            await page.WaitForSelectorAsync($".card[data-file='{firstFile}'][data-label='{target}']", new() { Timeout = 10_000 });
            StringAssert(await corrected.Locator(".label-line").InnerTextAsync(), $"Corrected to {target} (by Tess,");
            var after = await SummaryCounts(page);
            Assert.Equal(At(before, target) + 1, At(after, target));
            Assert.Equal(At(before, "review") - 1, At(after, "review"));
            Assert.Equal(At(before, "cells") + 1, At(after, "cells"));
            Assert.Equal(1, At(after, "reviewed"));

            // The queue moved on to the next cell nobody reviewed; its Confirm button accepts the model's answer.
            current = page.Locator(".card.current");
            string secondFile = (await current.GetAttributeAsync("data-file"))!;
            Assert.NotEqual(firstFile, secondFile);
            string secondLabel = (await current.GetAttributeAsync("data-status")) == "not_a_cell" ? "not_a_cell" : (await current.GetAttributeAsync("data-class"))!;
            long secondId = long.Parse((await current.GetAttributeAsync("data-cell-id"))!, CultureInfo.InvariantCulture);
            await current.Locator("button.confirm").ClickAsync();
            await page.WaitForSelectorAsync($".card[data-file='{secondFile}'][data-label='{secondLabel}']", new() { Timeout = 10_000 });
            Assert.Equal(2, At(await SummaryCounts(page), "reviewed"));

            // The history of the corrected cell: the model's answer and the correction.
            await corrected.Locator("button.history-button").ClickAsync();
            await page.WaitForFunctionAsync($"() => document.querySelectorAll(\".card[data-file='{firstFile}'] .history li\").length === 2", null, new() { Timeout = 10_000 });
            StringAssert(await corrected.Locator(".history li").First.InnerTextAsync(), "Model small.safetensors:");

            // The database holds both reviews, with who, in the sample the page named, and counts as the page does.
            SqliteConnection.ClearAllPools();
            var reopened = ReviewDatabase.Open(Path.Combine(dir, "reviews.db"));
            StoredCell first = reopened.Cell(firstId)!;
            Assert.Equal(("Smear 7", firstFile, modelClass, target, "correct", "Tess"), (first.Sample, first.FileName, first.Class, first.Label, first.Latest!.Action, first.Latest.Reviewer));
            StoredCell second = reopened.Cell(secondId)!;
            Assert.Equal((secondFile, secondLabel, "confirm", "Tess"), (second.FileName, second.Label, second.Latest!.Action, second.Latest.Reviewer));
            Assert.Equal(cells.Count, reopened.Cells("Smear 7").Count);
            DifferentialCount stored = ReviewedCount.Of("Smear 7", reopened.Cells("Smear 7"));
            var page_ = await SummaryCounts(page);
            for (int c = 0; c < stored.Classes.Count; c++) Assert.Equal(stored.Counts[c], At(page_, stored.Classes[c]));
            Assert.Equal((stored.Answered, stored.Review, stored.NotACell), (At(page_, "cells"), At(page_, "review"), At(page_, "not_a_cell")));

            // The reviewer's name is remembered by the browser; a new sample gets a new name.
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("body[data-ready=true]");
            Assert.Equal("Tess", await page.InputValueAsync("#reviewer"));
            Assert.False(await page.Locator("#sample-name").EvaluateAsync<bool>("e => e.readOnly"));
            Assert.True(consoleErrors.Count == 0, string.Join(" | ", consoleErrors));
        }
        finally
        {
            await app.StopAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public async Task A_field_shows_a_numbered_box_on_each_cell_and_its_second_cell_is_reviewed_by_key_on_its_own()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is absent (apt-get install chromium; .ci/run does): the browser test needs it");
        byte[] field = Imaging.SyntheticField.Png();   // real Acevedo-20 cells: skipped without ../shared
        ModelBundle bundle = OnnxExportTests.RandomBundle(WebTestHost.Small, 1) with { Calibration = new Calibration(Temperature: 200) };
        string dir = Directory.CreateTempSubdirectory("wbc-nca-field-browser-").FullName;
        var db = ReviewDatabase.Open(Path.Combine(dir, "reviews.db"));
        await using WebApplication app = WbcNcaServer.Create(bundle, new WebOptions(Samples: 1, MaxUploadBytes: 8_000_000), configure: b => b.WebHost.UseUrls("http://127.0.0.1:0"),
            records: new ReviewRecords(db, new ModelIdentity("small.safetensors", new string('7', 64))));
        await app.StartAsync();
        try
        {
            string file = Path.Combine(dir, "field.png");
            File.WriteAllBytes(file, field);
            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            IPage page = await (await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } })).NewPageAsync();
            var consoleErrors = new List<string>();
            page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add($"{m.Text} ({m.Location})"); };
            await page.GotoAsync(app.Urls.Single());
            await page.WaitForSelectorAsync("body[data-ready=true]", new() { Timeout = 30_000 });
            await page.FillAsync("#sample-name", "Field 1");
            await page.SetInputFilesAsync("#files", file);
            await page.WaitForFunctionAsync("() => document.querySelectorAll('.card[data-state=done]').length === 3 && !document.querySelector('.card[data-state=pending]')", null, new() { Timeout = 120_000 });
            Assert.True(consoleErrors.Count == 0, string.Join(" | ", consoleErrors));

            // Each cell is its own entry, named by its number; each shows the field with the three numbered boxes, its own marked.
            ILocator cards = page.Locator(".card");
            Assert.Equal(3, await cards.CountAsync());
            string[] names = [.. (await page.EvalOnSelectorAllAsync<string[]>(".card .cell .name", "ns => ns.map(n => n.textContent)")).Order()];
            Assert.Equal(["field.png #1", "field.png #2", "field.png #3"], names);
            for (int i = 0; i < 3; i++)
            {
                ILocator card = page.Locator($".card[data-cell='{i}']");
                Assert.Equal(3, await card.Locator(".field-view .box").CountAsync());
                Assert.Equal(["1", "2", "3"], await card.Locator(".field-view .box .box-number").AllInnerTextsAsync());
                Assert.Equal(i.ToString(CultureInfo.InvariantCulture), await card.Locator(".field-view .box.own").GetAttributeAsync("data-cell"));
                // The box lies on the stored nucleus, scaled to the size the image is shown at.
                long id = long.Parse((await card.GetAttributeAsync("data-cell-id"))!, CultureInfo.InvariantCulture);
                CellBox stored = db.Cell(id)!.Box!;
                var img = (await card.Locator(".field-view img").BoundingBoxAsync())!;
                var shown = (await card.Locator(".field-view .box.own").BoundingBoxAsync())!;
                double scale = img.Width / Imaging.SyntheticField.Width;
                Assert.True(scale < 0.6, $"the field is shown {img.Width} px wide");
                Near(scale, img.Height / Imaging.SyntheticField.Height, 0.01);
                Near(img.X + stored.X * scale, shown.X, 1.5);
                Near(img.Y + stored.Y * scale, shown.Y, 1.5);
                Near(stored.Width * scale, shown.Width, 1.5);
                Near(stored.Height * scale, shown.Height, 1.5);
            }
            var before = await SummaryCounts(page);
            Assert.Equal(3, At(before, "cells") + At(before, "review") + At(before, "not_a_cell"));   // the count counts cells, not images

            // Move through the queue by key to the second cell: its box is highlighted in every card of the field.
            await page.Locator("h1").ClickAsync();
            for (int k = 0; k < 3; k++) await page.Keyboard.PressAsync("p");
            for (int k = 0; k < 3 && await page.Locator(".card.current").GetAttributeAsync("data-cell") != "1"; k++) await page.Keyboard.PressAsync("n");
            ILocator second = page.Locator(".card.current");
            Assert.Equal("1", await second.GetAttributeAsync("data-cell"));
            Assert.Equal(3, await page.Locator(".field-view .box.current[data-cell='1']").CountAsync());
            Assert.Equal(3, await page.Locator(".field-view .box.current").CountAsync());

            string modelClass = (await second.GetAttributeAsync("data-class"))!;
            (string key, string target) = modelClass == "eosinophil" ? ("a", "basophil") : ("b", "eosinophil");
            long secondId = long.Parse((await second.GetAttributeAsync("data-cell-id"))!, CultureInfo.InvariantCulture);
            await page.Keyboard.PressAsync(key);
            await page.WaitForSelectorAsync($".card[data-cell='1'][data-label='{target}']", new() { Timeout = 10_000 });
            var after = await SummaryCounts(page);
            Assert.Equal(At(before, target) + 1, At(after, target));
            Assert.Equal(1, At(after, "reviewed"));
            Assert.Equal(3, At(after, "cells") + At(after, "review") + At(after, "not_a_cell"));
            Assert.Equal(0, await page.Locator(".card[data-cell='0'][data-label], .card[data-cell='2'][data-label]").CountAsync());

            // The page's CSV has a row per cell, numbered as on the page; the corrected one carries its review.
            IDownload download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-csv"));
            string csv = Path.Combine(dir, "results.csv");
            await download.SaveAsAsync(csv);
            string[][] rows = [.. File.ReadAllLines(csv).Skip(1).Select(r => r.Split(','))];
            Assert.Equal(["field.png 1", "field.png 2", "field.png 3"], rows.Select(r => $"{r[0]} {r[1]}").Order());
            Assert.Equal(target, rows.Single(r => r[1] == "2")[7]);

            // The database holds the correction for that cell alone.
            SqliteConnection.ClearAllPools();
            var reopened = ReviewDatabase.Open(Path.Combine(dir, "reviews.db"));
            StoredCell cell = reopened.Cell(secondId)!;
            Assert.Equal(("Field 1", "field.png", 1, 3, target, "correct"), (cell.Sample, cell.FileName, cell.CellIndex, cell.CellsInImage, cell.Label, cell.Latest!.Action));
            Assert.Equal(1, reopened.Cells("Field 1").Count(c => c.Latest is not null));
            Assert.Equal(3, reopened.Cells("Field 1").Count);
            Assert.True(consoleErrors.Count == 0, string.Join(" | ", consoleErrors));
        }
        finally
        {
            await app.StopAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public async Task A_sample_reopened_from_the_list_after_a_reload_shows_its_cells_and_reviews_and_a_correction_by_key_reaches_the_count_and_the_database()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is absent (apt-get install chromium; .ci/run does): the browser test needs it");
        var cells = new List<(string Name, byte[] Data)> { ("smear-a.png", Smear(3)), ("smear-b.png", Smear(4)), ("smear-c.png", Smear(5)) };
        // With the real cells of ../shared, a field too: its boxes must come back on the reopened sample's image.
        bool withField = SharedData.Root is string shared && Directory.Exists(Path.Combine(shared, "data", "acevedo20"));
        if (withField) cells.Add(("field.png", Imaging.SyntheticField.Png()));
        ModelBundle bundle = OnnxExportTests.RandomBundle(WebTestHost.Small, 1) with { Calibration = new Calibration(Temperature: 200) };
        string dir = Directory.CreateTempSubdirectory("wbc-nca-reopen-browser-").FullName;
        string dbPath = Path.Combine(dir, "reviews.db");
        var db = ReviewDatabase.Open(dbPath);
        await using WebApplication app = WbcNcaServer.Create(bundle, new WebOptions(Samples: 1, MaxUploadBytes: 8_000_000), configure: b => b.WebHost.UseUrls("http://127.0.0.1:0"),
            records: new ReviewRecords(db, new ModelIdentity("small.safetensors", new string('7', 64))));
        await app.StartAsync();
        try
        {
            var files = cells.Select(c => { string p = Path.Combine(dir, c.Name); File.WriteAllBytes(p, c.Data); return p; }).ToList();
            string extra = Path.Combine(dir, "smear-d.png");
            File.WriteAllBytes(extra, Smear(6));
            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            IPage page = await (await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } })).NewPageAsync();
            var consoleErrors = new List<string>();
            page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add($"{m.Text} ({m.Location})"); };

            // A sample is uploaded and one cell confirmed by key; then the page is reloaded: nothing of it is on the page.
            await page.GotoAsync(app.Urls.Single());
            await page.WaitForSelectorAsync("body[data-ready=true]", new() { Timeout = 30_000 });
            Assert.True(await page.IsVisibleAsync("#samples"));
            Assert.True(await page.IsVisibleAsync("#samples-empty"));
            await page.FillAsync("#sample-name", "Smear 9");
            await page.FillAsync("#reviewer", "Tess");
            await page.Locator("#reviewer").DispatchEventAsync("change");
            await page.SetInputFilesAsync("#files", files);
            int n = withField ? cells.Count + 2 : cells.Count;   // the field holds three cells
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('.card[data-state=done]').length === {n} && !document.querySelector('.card[data-state=pending]')", null, new() { Timeout = 120_000 });
            await page.Locator("h1").ClickAsync();
            string confirmedId = (await page.Locator(".card.current").GetAttributeAsync("data-cell-id"))!;
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForSelectorAsync($".card[data-cell-id='{confirmedId}'][data-label]", new() { Timeout = 10_000 });
            await page.WaitForSelectorAsync("#sample-list tr[data-sample='Smear 9'] td.reviewed:text-is('1')", new() { Timeout = 10_000 });

            await page.ReloadAsync();
            await page.WaitForSelectorAsync("body[data-ready=true]", new() { Timeout = 30_000 });
            Assert.Equal(0, await page.Locator(".card").CountAsync());
            ILocator row = page.Locator("#sample-list tr[data-sample='Smear 9']");
            Assert.Equal(1, await row.CountAsync());
            Assert.Equal(n.ToString(CultureInfo.InvariantCulture), (await row.Locator("td.cells").InnerTextAsync()).Trim());
            Assert.Equal("1", (await row.Locator("td.reviewed").InnerTextAsync()).Trim());
            Assert.False(await page.IsVisibleAsync("#samples-empty"));

            // Opened from the list: every cell again, with the model's answer, its status and its current label.
            await row.Locator("button.open").ClickAsync();
            await page.WaitForSelectorAsync("body[data-images-shown=true]", new() { Timeout = 30_000 });
            Assert.Equal(n, await page.Locator(".card[data-state=done]").CountAsync());
            Assert.Equal("Smear 9", await page.InputValueAsync("#sample-name"));
            Assert.True(await page.Locator("#sample-name").EvaluateAsync<bool>("e => e.readOnly"));
            Assert.True(await row.EvaluateAsync<bool>("r => r.classList.contains('open')"));
            foreach (StoredCell stored in db.Cells("Smear 9"))
            {
                ILocator card = page.Locator($".card[data-cell-id='{stored.Id}']");
                Assert.Equal((stored.Class, stored.Status), (await card.GetAttributeAsync("data-class"), await card.GetAttributeAsync("data-status")));
                Assert.Equal(stored.Label, await card.GetAttributeAsync("data-label"));
                // The stored image is shown (the server's preview, fetched with the page's own request).
                Assert.True(await card.Locator(".cell img").EvaluateAsync<bool>("i => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0"), $"no image on cell {stored.Id}");
            }
            ILocator confirmed = page.Locator($".card[data-cell-id='{confirmedId}']");
            StringAssert(await confirmed.Locator(".label-line").InnerTextAsync(), "Confirmed: ");
            StringAssert(await confirmed.Locator(".label-line").InnerTextAsync(), "(by Tess,");
            if (withField)
            {
                // Each cell of the field shows the field with its three numbered boxes, its own on the stored nucleus.
                ILocator fieldCards = page.Locator(".card.field");
                Assert.Equal(3, await fieldCards.CountAsync());
                foreach (ILocator card in await fieldCards.AllAsync())
                {
                    Assert.Equal(3, await card.Locator(".field-view .box").CountAsync());
                    CellBox box = db.Cell(long.Parse((await card.GetAttributeAsync("data-cell-id"))!, CultureInfo.InvariantCulture))!.Box!;
                    var img = (await card.Locator(".field-view img").BoundingBoxAsync())!;
                    var shown = (await card.Locator(".field-view .box.own").BoundingBoxAsync())!;
                    double scale = img.Width / Imaging.SyntheticField.Width;
                    Near(img.X + box.X * scale, shown.X, 1.5);
                    Near(img.Y + box.Y * scale, shown.Y, 1.5);
                    Near(box.Width * scale, shown.Width, 1.5);
                }
            }
            DifferentialCount stored0 = ReviewedCount.Of("Smear 9", db.Cells("Smear 9"));
            var before = await SummaryCounts(page);
            for (int c = 0; c < stored0.Classes.Count; c++) Assert.Equal(stored0.Counts[c], At(before, stored0.Classes[c]));
            Assert.Equal((stored0.Answered, stored0.Review, stored0.NotACell, 1), (At(before, "cells"), At(before, "review"), At(before, "not_a_cell"), At(before, "reviewed")));

            // The queue starts at a cell nobody reviewed; a key corrects it, the count and the database follow.
            ILocator current = page.Locator(".card.current");
            Assert.Null(await current.GetAttributeAsync("data-label"));
            long currentId = long.Parse((await current.GetAttributeAsync("data-cell-id"))!, CultureInfo.InvariantCulture);
            string modelClass = (await current.GetAttributeAsync("data-class"))!;
            string bin = (await current.GetAttributeAsync("data-status")) switch { "ok" => modelClass, "review" => "review", _ => "not_a_cell" };
            (string key, string target) = modelClass == "eosinophil" ? ("a", "basophil") : ("b", "eosinophil");
            await page.Keyboard.PressAsync(key);
            await page.WaitForSelectorAsync($".card[data-cell-id='{currentId}'][data-label='{target}']", new() { Timeout = 10_000 });
            var after = await SummaryCounts(page);
            Assert.Equal(At(before, target) + 1, At(after, target));
            Assert.Equal(At(before, bin) - 1, At(after, bin));
            Assert.Equal(2, At(after, "reviewed"));
            SqliteConnection.ClearAllPools();
            var reopened = ReviewDatabase.Open(dbPath);
            StoredCell corrected = reopened.Cell(currentId)!;
            Assert.Equal(("Smear 9", target, "correct", "Tess"), (corrected.Sample, corrected.Label, corrected.Latest!.Action, corrected.Latest.Reviewer));
            DifferentialCount stored1 = ReviewedCount.Of("Smear 9", reopened.Cells("Smear 9"));
            for (int c = 0; c < stored1.Classes.Count; c++) Assert.Equal(stored1.Counts[c], At(after, stored1.Classes[c]));
            await page.WaitForSelectorAsync("#sample-list tr[data-sample='Smear 9'] td.reviewed:text-is('2')", new() { Timeout = 10_000 });

            // An image dropped now is added to the open sample.
            await page.SetInputFilesAsync("#files", extra);
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('.card[data-state=done]').length === {n + 1} && !document.querySelector('.card[data-state=pending]')", null, new() { Timeout = 60_000 });
            Assert.Equal(n + 1, reopened.Cells("Smear 9").Count);
            Assert.Equal("smear-d.png", reopened.Cells("Smear 9")[^1].FileName);
            Assert.Single(reopened.Samples());
            await page.WaitForSelectorAsync($"#sample-list tr[data-sample='Smear 9'] td.cells:text-is('{n + 1}')", new() { Timeout = 10_000 });
            Assert.True(consoleErrors.Count == 0, string.Join(" | ", consoleErrors));
        }
        finally
        {
            await app.StopAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public async Task A_long_sample_list_shows_the_newest_page_shows_older_ones_on_request_and_finds_samples_by_name()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is absent (apt-get install chromium; .ci/run does): the browser test needs it");
        ModelBundle bundle = OnnxExportTests.RandomBundle(WebTestHost.Small, 1);
        string dir = Directory.CreateTempSubdirectory("wbc-nca-sample-list-browser-").FullName;
        var db = ReviewDatabase.Open(Path.Combine(dir, "reviews.db"));
        var model = new ModelIdentity("small.safetensors", new string('7', 64));
        var t0 = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
        for (int i = 1; i <= 30; i++)
            db.AddCells($"Smear {i}", model, CellClasses.Fine, [Review.ReviewDatabaseTests.Cell("a.png", 1, AnswerStatus.Ok, i)], t0.AddMinutes(i));
        await using WebApplication app = WbcNcaServer.Create(bundle, new WebOptions(Samples: 8, Views: true), configure: b => b.WebHost.UseUrls("http://127.0.0.1:0"),
            records: new ReviewRecords(db, model));
        await app.StartAsync();
        try
        {
            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            IPage page = await (await browser.NewContextAsync()).NewPageAsync();
            var consoleErrors = new List<string>();
            page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add($"{m.Text} ({m.Location})"); };
            await page.GotoAsync(app.Urls.Single());
            await page.WaitForSelectorAsync("body[data-ready=true]", new() { Timeout = 30_000 });
            // A server answering with views says so (here the list is what is tested; no cell is classified).
            Assert.Equal("Each answer is the mean of 8 runs of the model, each on another rotation or mirror image of the cell; \"±\" shows how much the runs disagree.",
                (await page.InnerTextAsync("#model-note")).Trim());
            async Task<string[]> Rows() => [.. await page.Locator("#sample-list tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.sample)")];

            await page.WaitForFunctionAsync("() => document.querySelectorAll('#sample-list tbody tr').length === 25");
            string[] first = await Rows();
            Assert.Equal(Enumerable.Range(6, 25).Reverse().Select(i => $"Smear {i}"), first);   // the newest first
            Assert.Equal("25 of 30", await page.TextContentAsync("#samples-shown"));
            await page.ClickAsync("#samples-more");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#sample-list tbody tr').length === 30");
            Assert.Equal(["Smear 5", "Smear 4", "Smear 3", "Smear 2", "Smear 1"], (await Rows())[25..]);
            Assert.False(await page.IsVisibleAsync("#samples-more"));

            await page.FillAsync("#sample-filter", "smear 1");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#sample-list tbody tr').length === 11");
            Assert.Equal(["Smear 19", "Smear 18", "Smear 17", "Smear 16", "Smear 15", "Smear 14", "Smear 13", "Smear 12", "Smear 11", "Smear 10", "Smear 1"], await Rows());
            Assert.Equal("11 of 11", await page.TextContentAsync("#samples-shown"));
            await page.FillAsync("#sample-filter", "marrow");
            await page.WaitForSelectorAsync("#samples-empty:visible");
            StringAssert((await page.TextContentAsync("#samples-empty"))!, "No sample name contains \"marrow\".");
            Assert.False(await page.IsVisibleAsync(".sample-scroll"));
            Assert.True(consoleErrors.Count == 0, string.Join(" | ", consoleErrors));
        }
        finally
        {
            await app.StopAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A generated smear with one white cell (always located), as a PNG.</summary>
    private static byte[] Smear(int seed) =>
        Imaging.TestImages.Png(new Imaging.SyntheticSmear(96, 96, seed: seed).RedCells(22, (48, 48, 24)).WhiteCell(48, 48, 14, 22).Build());

    private static void Near(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected} ± {tolerance}, got {actual}");

    private static void StringAssert(string text, string expected) => Assert.True(text.Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in \"{text}\"");
}
