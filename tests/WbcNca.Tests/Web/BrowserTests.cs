using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;
using WbcNca.Checkpoints;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Tests.Export;
using WbcNca.Tests.Imaging;
using WbcNca.Web;

namespace WbcNca.Tests.Web;

/// <summary>
/// The page in a real browser: Debian's chromium (installed by .ci/run), driven headless by Playwright through the
/// app served by Kestrel on a loopback port. Skips with a message when /usr/bin/chromium is absent.
/// </summary>
[Collection(TorchCollection.Name)]
public class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>Real fixture cells when ../shared is there, otherwise generated images.</summary>
    internal static List<(string Name, byte[] Data)> CellImages()
    {
        string? root = SharedData.Root;
        string folder = root is null ? "" : Path.Combine(root, "fixtures", "acevedo64");
        if (Directory.Exists(folder))
            return Directory.GetFiles(folder, "*.png").Order().Take(3).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
        var rng = new Random(5);
        return Enumerable.Range(0, 3).Select(i =>
        {
            var px = new byte[64 * 64 * 3];
            rng.NextBytes(px);
            return ($"cell{i}.png", TestImages.Png(new Rgb8Image(64, 64, px)));
        }).ToList();
    }

    /// <summary>A Matek-19-like RGBA TIFF (which no browser shows by itself) of a generated smear with one white cell.</summary>
    private static byte[] CellTiff()
    {
        Rgb8Image cell = new SyntheticSmear(96, 96, seed: 2).RedCells(22, (48, 48, 24)).WhiteCell(48, 48, 14, 22).Build();
        var rgba = new byte[96 * 96 * 4];
        for (int i = 0; i < 96 * 96; i++)
        {
            rgba[4 * i] = cell.Pixels[3 * i];
            rgba[4 * i + 1] = cell.Pixels[3 * i + 1];
            rgba[4 * i + 2] = cell.Pixels[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        return TestImages.Tiff(96, 96, 4, 8, BitMiracle.LibTiff.Classic.Photometric.RGB, rgba, unassociatedAlpha: true);
    }

    [SkippableFact]
    public async Task Uploaded_cells_show_their_class_a_chart_a_summary_a_csv_and_an_explanation_in_chromium()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is absent (apt-get install chromium; .ci/run does): the browser test needs it");
        ModelBundle bundle = OnnxExportTests.RandomBundle(WebTestHost.Small, 1) with
        {
            Provenance = new Dictionary<string, string> { ["source"] = "wbc-nca train", ["dataset"] = "acevedo20", ["validation_balanced_accuracy"] = "0.7312" },
        };
        var options = new WebOptions(Samples: 3);
        await using WebApplication app = WbcNcaServer.Create(bundle, options, new WebApiTests.FakeExplainer(), configure: b => b.WebHost.UseUrls("http://127.0.0.1:0"));
        await app.StartAsync();
        string url = app.Urls.Single();

        var cells = CellImages();
        cells.Add(("BAS_0001.tiff", CellTiff()));
        var pre = new ImagePreprocessor(bundle.Config.ImageSize, bundle.Normalization);
        var want = new Predictor(bundle).Predict(cells.Select(c => pre.Process(ImageDecoder.Decode8(c.Data, c.Name))).ToList(), new PredictOptions(Samples: 3));
        var decided = cells.Select((c, i) => bundle.Decision.Decide(want[i], CellLocator.Locate(ImageDecoder.Decode8(c.Data, c.Name)))).ToList();

        string dir = Directory.CreateTempSubdirectory("wbc-nca-browser-").FullName;
        try
        {
            var files = cells.Select(c => { string p = Path.Combine(dir, c.Name); File.WriteAllBytes(p, c.Data); return p; }).ToList();
            string bad = Path.Combine(dir, "notes.png");
            File.WriteAllText(bad, "not a picture");
            string blank = Path.Combine(dir, "blank.png");
            File.WriteAllBytes(blank, TestImages.Png(new SyntheticSmear(64, 64).Build()));
            string[] order = [.. cells.Select(c => c.Name), "notes.png", "blank.png"];

            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
            var external = new List<string>();
            page.Request += (_, r) => { if (!r.Url.StartsWith(url, StringComparison.Ordinal) && !r.Url.StartsWith("blob:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) external.Add(r.Url); };
            var consoleErrors = new List<string>();
            page.Console += (_, m) => { if (m.Type == "error" && !m.Text.Contains("status of 415", StringComparison.Ordinal)) consoleErrors.Add($"{m.Text} ({m.Location})"); };

            await page.GotoAsync(url);
            await page.WaitForSelectorAsync("body[data-ready=true]", new() { Timeout = 30_000 });
            // The header says what the model does, in words, with its recorded accuracy; no jargon.
            Assert.Equal("Classifies white blood cells into 13 types; 73 % accurate on held-out Acevedo-20 cells (averaged over the types).",
                (await page.InnerTextAsync("#model-info")).Trim());
            Assert.DoesNotContain("parameters", await page.InnerTextAsync("header > p"));
            Assert.Equal("Each answer is the mean of 3 runs of the model; \"±\" shows how much the runs disagree.", (await page.InnerTextAsync("#model-note")).Trim());

            await page.SetInputFilesAsync("#files", [.. files, bad, blank]);
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('.card').length === {order.Length} && !document.querySelector('.card[data-state=pending]')", null, new() { Timeout = 120_000 });
            // Results in upload order.
            Assert.Equal(order, await page.EvalOnSelectorAllAsync<string[]>(".card", "cards => cards.map(c => c.dataset.file)"));
            // A blank field has no white cell: the page says so.
            ILocator empty = page.Locator(".card[data-file='blank.png']");
            Assert.Equal("not_a_cell", await empty.GetAttributeAsync("data-status"));
            Assert.Equal("Not a white cell: no stained nucleus found", (await empty.Locator(".status").InnerTextAsync()).Trim());

            for (int i = 0; i < cells.Count; i++)
            {
                ILocator card = page.Locator($".card[data-file='{cells[i].Name}']");
                Assert.Equal("done", await card.GetAttributeAsync("data-state"));
                Assert.Equal(want[i].ClassName.Replace('_', ' '), (await card.Locator(".predicted").InnerTextAsync()).Trim());
                Assert.Equal(13, await card.Locator("svg.probabilities rect.bar").CountAsync());
                Assert.Equal(1, await card.Locator("svg.probabilities rect.bar.top").CountAsync());
                var box = await card.Locator("svg.probabilities").BoundingBoxAsync();
                Assert.True(box is { Width: > 100, Height: > 100 }, "the chart is not drawn");
                var top = await card.Locator("svg.probabilities rect.bar.top").BoundingBoxAsync();
                Assert.True(top is { Width: > 0 }, "the predicted class has no bar");
                StringAssert(await card.Locator(".confidence").InnerTextAsync(), "±");
                var (status, reason) = decided[i];
                Assert.Equal(DecisionRule.Name(status), await card.GetAttributeAsync("data-status"));
                if (status != AnswerStatus.Ok) StringAssert(await card.Locator(".status").InnerTextAsync(), reason);
                // Every preview shows, the TIFF's too (the server's PNG).
                Assert.True(await card.Locator(".cell img").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), $"no preview of {cells[i].Name}");
            }
            ILocator tiffCard = page.Locator(".card[data-file='BAS_0001.tiff']");
            Assert.StartsWith("data:image/png;base64,", await tiffCard.Locator(".cell img").GetAttributeAsync("src"));

            // This server keeps no records: the page says so and offers no review.
            Assert.True(await page.IsVisibleAsync("#no-records"));
            Assert.False(await page.IsVisibleAsync("#sample-bar"));
            Assert.False(await page.IsVisibleAsync("#review-queue"));
            Assert.Equal(0, await page.Locator(".card .review-box:visible").CountAsync());
            Assert.StartsWith("Cells to review are not counted", (await page.InnerTextAsync("#count-note")).Trim());

            // The differential count: the answered cells per type (cells to review apart until a person places them), and what was left out.
            var expected = cells.Select((c, i) => (want[i].ClassName, decided[i].Status)).Where(x => x.Status == AnswerStatus.Ok)
                .GroupBy(x => x.ClassName).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(expected.Count, await page.Locator("#summary tbody tr").CountAsync());
            foreach (var (name, count) in expected)
                Assert.Equal(count.ToString(System.Globalization.CultureInfo.InvariantCulture), (await page.Locator($"#summary tbody tr[data-class='{name}'] td.count").InnerTextAsync()).Trim());
            Assert.Equal(expected.Values.Sum().ToString(System.Globalization.CultureInfo.InvariantCulture), (await page.Locator("#summary tr[data-row=cells] td.count").InnerTextAsync()).Trim());
            Assert.Equal(decided.Count(d => d.Status == AnswerStatus.Review).ToString(System.Globalization.CultureInfo.InvariantCulture), (await page.Locator("#summary tr[data-row=review] td.count").InnerTextAsync()).Trim());
            Assert.Equal("1", (await page.Locator("#summary tr[data-row=error] td.count").InnerTextAsync()).Trim());
            int notCells = 1 + decided.Count(d => d.Status == AnswerStatus.NotACell);
            Assert.Equal(notCells.ToString(System.Globalization.CultureInfo.InvariantCulture), (await page.Locator("#summary tr[data-row=not_a_cell] td.count").InnerTextAsync()).Trim());

            // The CSV: one row per cell (here one per image) in upload order.
            IDownload download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-csv"));
            string csvPath = Path.Combine(dir, "results.csv");
            await download.SaveAsAsync(csvPath);
            string[] rows = File.ReadAllLines(csvPath);
            Assert.Equal("file,cell,status,class,probability,probability_std,reason,reviewed_class,reviewer", rows[0]);
            Assert.Equal(order, rows.Skip(1).Select(r => r.Split(',')[0]));
            for (int i = 0; i < cells.Count; i++)
            {
                string[] f = rows[1 + i].Split(',');
                Assert.Equal(("1", DecisionRule.Name(decided[i].Status), want[i].ClassName), (f[1], f[2], f[3]));
                Assert.Equal(want[i].Confidence, double.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture), 3);
            }
            Assert.StartsWith("notes.png,,error,,,,", rows[1 + cells.Count]);
            Assert.EndsWith(",,", rows[1]);   // nobody reviewed

            // The explanation of the TIFF: a grid with the upload, the model's input and the overlay, a colour legend,
            // one sentence on where the model looked, and the channel maps in rows with captions in words.
            await tiffCard.Locator("button.explain-button").ClickAsync();
            await page.WaitForSelectorAsync(".card[data-file='BAS_0001.tiff'][data-explained=true]", new() { Timeout = 60_000 });
            ILocator panel = tiffCard.Locator(".explain-body");
            Assert.Equal("Most of the evidence lies on the cell.", (await panel.Locator(".focus-sentence").InnerTextAsync()).Trim());
            Assert.Equal(3, await panel.Locator(".views figure").CountAsync());
            Assert.True(await panel.Locator(".views img.original").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), "the original is not shown");
            Assert.Equal(16, await panel.Locator(".views img.model-input").EvaluateAsync<int>("img => img.complete ? img.naturalWidth : -1"));
            Assert.True(await panel.Locator("img.overlay").EvaluateAsync<bool>("img => img.complete && img.naturalWidth === 2"), "the overlay PNG is not shown");
            StringAssert(await panel.Locator(".views").InnerTextAsync(), "What the model sees: the whole image, shrunk to 16×16 pixels");
            Assert.Equal(2, await panel.Locator(".legend .legend-bar").CountAsync());
            var bars = new List<LocatorBoundingBoxResult?>();
            foreach (var bar in await panel.Locator(".legend .legend-bar").AllAsync()) bars.Add(await bar.BoundingBoxAsync());
            Assert.All(bars, b => Assert.True(b is { Width: > 50, Height: > 5 }, "a legend bar is not drawn"));
            Assert.Equal(bars[0]!.X, bars[1]!.X, 1);   // the scales line up
            StringAssert(await panel.Locator(".legend").InnerTextAsync(), "Evidence");

            var maps = await panel.Locator(".maps figure").AllAsync();
            Assert.Equal(8, maps.Count);
            var boxes = new List<LocatorBoundingBoxResult>();
            foreach (var m in maps)
            {
                var img = await m.Locator("img").BoundingBoxAsync();
                var fig = await m.BoundingBoxAsync();
                Assert.True(img is not null && fig is not null && Math.Abs(img.X - fig.X) < 1.5, "a map is shifted sideways within its cell");
                boxes.Add(img!);
            }
            Assert.Equal(4, boxes.Select(b => Math.Round(b.X)).Distinct().Count());   // four columns…
            Assert.Equal(2, boxes.Select(b => Math.Round(b.Y)).Distinct().Count());   // …in two rows
            // The fake's relevances are 1, 1/2, …, 1/8: the first holds 1 / 2.718 = 37 % of the evidence, 90 % of it on the cell.
            Assert.Equal("#1: 37 % of the evidence", (await maps[0].Locator("figcaption span").First.InnerTextAsync()).Trim());
            Assert.Equal("mostly on the cell (90 %)", (await maps[0].Locator("figcaption span").Nth(1).InnerTextAsync()).Trim());
            Assert.Equal("channel 3", (await maps[0].Locator("figcaption span").Last.InnerTextAsync()).Trim());

            ILocator failed = page.Locator(".card[data-file='notes.png']");
            Assert.Equal("error", await failed.GetAttributeAsync("data-state"));
            StringAssert(await failed.InnerTextAsync(), "not an image");
            Assert.Empty(external);
            Assert.True(consoleErrors.Count == 0, string.Join(" | ", consoleErrors));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            await app.StopAsync();
        }
    }

    private static void StringAssert(string text, string expected) => Assert.True(text.Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in \"{text}\"");
}
