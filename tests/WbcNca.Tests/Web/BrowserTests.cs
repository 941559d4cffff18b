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
    private static List<(string Name, byte[] Data)> CellImages()
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

    [SkippableFact]
    public async Task Uploaded_cells_show_their_class_and_a_probability_chart_in_chromium()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is absent (apt-get install chromium; .ci/run does): the browser test needs it");
        ModelBundle bundle = OnnxExportTests.RandomBundle(WebTestHost.Small, 1);
        var options = new WebOptions(Samples: 3);
        await using WebApplication app = WbcNcaServer.Create(bundle, options, new WebApiTests.FakeExplainer(), configure: b => b.WebHost.UseUrls("http://127.0.0.1:0"));
        await app.StartAsync();
        string url = app.Urls.Single();

        var cells = CellImages();
        var pre = new ImagePreprocessor(bundle.Config.ImageSize, bundle.Normalization);
        var want = new Predictor(bundle).Predict(cells.Select(c => pre.Process(ImageDecoder.Decode8(c.Data, c.Name))).ToList(), new PredictOptions(Samples: 3));

        string dir = Directory.CreateTempSubdirectory("wbc-nca-browser-").FullName;
        try
        {
            var files = cells.Select(c => { string p = Path.Combine(dir, c.Name); File.WriteAllBytes(p, c.Data); return p; }).ToList();
            string bad = Path.Combine(dir, "notes.png");
            File.WriteAllText(bad, "not a picture");
            string blank = Path.Combine(dir, "blank.png");
            File.WriteAllBytes(blank, TestImages.Png(new SyntheticSmear(64, 64).Build()));

            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            IPage page = await browser.NewPageAsync();
            var external = new List<string>();
            page.Request += (_, r) => { if (!r.Url.StartsWith(url, StringComparison.Ordinal) && !r.Url.StartsWith("blob:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) external.Add(r.Url); };
            var consoleErrors = new List<string>();
            page.Console += (_, m) => { if (m.Type == "error" && !m.Text.Contains("status of 415", StringComparison.Ordinal)) consoleErrors.Add($"{m.Text} ({m.Location})"); };

            await page.GotoAsync(url);
            await page.WaitForSelectorAsync("body[data-ready=true]", new() { Timeout = 30_000 });
            StringAssert(await page.InnerTextAsync("#model-info"), "13 classes");

            await page.SetInputFilesAsync("#files", [.. files, bad, blank]);
            await page.WaitForFunctionAsync("() => document.querySelectorAll('.card').length === 5 && !document.querySelector('.card[data-state=pending]')", null, new() { Timeout = 120_000 });
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
                var (status, reason) = bundle.Decision.Decide(want[i], CellLocator.Locate(ImageDecoder.Decode8(cells[i].Data, cells[i].Name)));
                Assert.Equal(DecisionRule.Name(status), await card.GetAttributeAsync("data-status"));
                if (status != AnswerStatus.Ok) StringAssert(await card.Locator(".status").InnerTextAsync(), reason);
            }
            // The explanation panel: the explainer's overlay and channel maps are shown.
            ILocator first = page.Locator($".card[data-file='{cells[0].Name}']");
            await first.Locator("button.explain-button").ClickAsync();
            await page.WaitForSelectorAsync($".card[data-file='{cells[0].Name}'][data-explained=true]", new() { Timeout = 60_000 });
            Assert.True(await first.Locator("img.overlay").EvaluateAsync<bool>("img => img.complete && img.naturalWidth === 2"), "the overlay PNG is not shown");
            Assert.Equal(8, await first.Locator("ol.channels li").CountAsync());
            StringAssert(await first.Locator(".explain-body").InnerTextAsync(), "fake: channels most relevant for");

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
