// Screenshots of the lab page for the README (bench/web/screenshots.sh runs it): starts `wbc-nca serve` on loopback
// with a temporary review database, drops a fixed sample of real Acevedo-20 cells and one field made of three of them
// into Debian's chromium (headless, Microsoft.Playwright), corrects one cell by key, opens an explanation, and saves
// PNGs of the page at a fixed viewport.
//   WbcNca.Screenshots --out docs/figures/page [--model models/wbc-nca-acevedo20.safetensors]
//       [--data ../shared/data/acevedo20] [--wbc-nca ./wbc-nca] [--chromium /usr/bin/chromium]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using WbcNca;
using WbcNca.Data;
using WbcNca.Imaging;

var opts = new Dictionary<string, string>();
for (int i = 0; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
string Opt(string k, string d) => opts.TryGetValue(k, out var v) ? v : d;
string outDir = Path.GetFullPath(Opt("out", "docs/figures/page"));
string model = Path.GetFullPath(Opt("model", "models/wbc-nca-acevedo20.safetensors"));
string data = Path.GetFullPath(Opt("data", "../shared/data/acevedo20"));
string launcher = Path.GetFullPath(Opt("wbc-nca", "./wbc-nca"));
string chromium = Opt("chromium", "/usr/bin/chromium");
foreach (var (what, path) in new[] { ("--data", data), ("--model", model), ("--wbc-nca", launcher), ("--chromium", chromium) })
    if (!File.Exists(path) && !Directory.Exists(path))
    {
        Console.Error.WriteLine($"error: {what} {path} does not exist");
        return 1;
    }

try
{
    await PageScreenshots.Run(outDir, model, data, launcher, chromium);
    return 0;
}
catch (WbcNcaException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

/// <summary>The lab loop on the page, step by step, with a screenshot of each step.</summary>
internal static class PageScreenshots
{
    /// <summary>The sample: fixed images of several Acevedo-20 classes (relative to the data set), in upload order; the platelet has no class of the model.</summary>
    public static readonly string[] Sample =
    [
        "basophil/BA_100102.jpg", "eosinophil/EO_1007.jpg", "lymphocyte/LY_102859.jpg", "monocyte/MO_101258.jpg",
        "neutrophil/SNE_101188.jpg", "ig/MY_100038.jpg", "ig/PMY_103033.jpg", "platelet/PLATELET_100529.jpg",
    ];

    /// <summary>The field: the first image of each type (in the reader's order) with one white cell, placed apart on 640×480 pixels (as the tests' field).</summary>
    public static readonly (string Type, int X, int Y)[] Field = [("lymphocyte", 120, 150), ("eosinophil", 330, 330), ("neutrophil", 520, 140)];

    /// <summary>The cell whose explanation is shown.</summary>
    public const string Explained = "eosinophil/EO_1007.jpg";

    /// <summary>The browser's viewport, in CSS pixels (device scale 1).</summary>
    public const int Width = 1280, Height = 900;

    public static async Task Run(string outDir, string model, string data, string launcher, string chromium)
    {
        Dataset set = DatasetReader.Open("acevedo20", data);
        var truth = set.Items.ToDictionary(i => i.RelativePath, i => i.LabelName, StringComparer.Ordinal);
        var files = Sample.Select(r => File.Exists(Path.Combine(data, r)) ? Path.Combine(data, r) : throw new WbcNcaException($"{Path.Combine(data, r)}: not found")).ToList();
        var byName = Sample.Where(truth.ContainsKey).ToDictionary(r => Path.GetFileName(r), r => truth[r], StringComparer.Ordinal);

        string tmp = Directory.CreateTempSubdirectory("wbc-nca-screenshots-").FullName;
        Process? server = null;
        try
        {
            var placements = Field.Select(p => new FieldMontage.Placement(
                set.Items.Where(i => i.RelativePath.StartsWith(p.Type + "/", StringComparison.Ordinal)).Select(i => i.Path), p.X, p.Y)).ToList();
            FieldMontage field = FieldMontage.Build(640, 480, placements);
            string fieldPath = Path.Combine(tmp, "field.png");
            File.WriteAllBytes(fieldPath, PngEncoder.Encode(field.Field));
            files.Add(fieldPath);
            Console.WriteLine($"sample: {string.Join(", ", Sample)}; field.png from {string.Join(", ", field.Sources.Select(s => Path.GetRelativePath(data, s)))}");

            (server, string url) = await StartServe(launcher, model, Path.Combine(tmp, "reviews.db"));
            Console.WriteLine($"server: {url}");
            Directory.CreateDirectory(outDir);
            await Drive(url, files, byName, outDir, chromium);
        }
        finally
        {
            if (server is { HasExited: false })
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
            Directory.Delete(tmp, recursive: true);
        }
    }

    private static async Task Drive(string url, List<string> files, Dictionary<string, string> truth, string outDir, string chromium)
    {
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"],
        });
        IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = Width, Height = Height },
            DeviceScaleFactor = 1,
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        IPage page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };

        await page.GotoAsync(url);
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { Timeout = 60_000 });
        await page.FillAsync("#sample-name", "Smear 12");
        await page.FillAsync("#reviewer", "Ann");
        await page.Locator("#reviewer").DispatchEventAsync("change");

        // 1. The sample dropped: every cell answered with its class and status, the differential count and the review
        // queue, whose first cell is framed; a field's cells each boxed and numbered on the field.
        await page.SetInputFilesAsync("#files", files);
        await page.WaitForFunctionAsync(
            $"() => document.querySelectorAll('.card[data-state=done]').length >= {files.Count} && !document.querySelector('.card[data-state=pending]')" +
            " && Array.from(document.images).every(i => i.complete)", null, new() { Timeout = 300_000, PollingInterval = 200 });
        if (consoleErrors.Count > 0) throw new WbcNcaException($"{url}: the page logged errors: {string.Join(" | ", consoleErrors)}");
        await page.Locator("h1").ClickAsync();   // the keys act on the page, not on a text field

        // 2. The review queue: move to the first cell to review that the model got wrong (its class known from the data
        // set), then correct it with the key the page shows for the right class.
        ILocator current = page.Locator(".card.current");
        for (int moves = 0; ; moves++)
        {
            string file = (await current.GetAttributeAsync("data-file"))!;
            string answer = (await current.GetAttributeAsync("data-class"))!;
            if (await current.GetAttributeAsync("data-status") == "review" && truth.TryGetValue(file, out string? right) && right != answer) break;
            if (moves > files.Count * 3) throw new WbcNcaException("the review queue holds no cell to review that the model got wrong");
            await page.Keyboard.PressAsync("n");
        }
        string corrected = (await current.GetAttributeAsync("data-file"))!;
        string target = truth[corrected];
        string key = (await current.Locator($"select.correct option[value='{target}']").GetAttributeAsync("data-key"))!;
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Save(page, outDir, "1-sample.png", await Clip(page, "header", ".card.current"));
        await Save(page.Locator(".card[data-file='field.png']").First, outDir, "2-field.png");

        await page.Keyboard.PressAsync(key);
        await page.WaitForSelectorAsync($".card[data-file='{corrected}'][data-label='{target}']", new() { Timeout = 30_000 });
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Save(page, outDir, "3-corrected.png", await Clip(page, "#batch", $".card[data-file='{corrected}'] .review-box"));
        Console.WriteLine($"corrected {corrected} from {await page.Locator($".card[data-file='{corrected}']").GetAttributeAsync("data-class")} to {target} with the key {key.ToUpperInvariant()}");

        // 3. Why: the explanation of a cell the model answered with confidence.
        ILocator explained = page.Locator($".card[data-file='{Path.GetFileName(Explained)}']");
        await explained.Locator("button.explain-button").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('.card[data-explained=true]') && Array.from(document.images).every(i => i.complete)", null, new() { Timeout = 120_000 });
        await Save(explained, outDir, "4-explain.png");
        if (consoleErrors.Count > 0) throw new WbcNcaException($"{url}: the page logged errors: {string.Join(" | ", consoleErrors)}");
    }

    // The region from the top of the first element to the bottom of the last, across the page's column.
    private static async Task<Clip> Clip(IPage page, string first, string last)
    {
        var top = await page.Locator(first).First.BoundingBoxAsync() ?? throw new WbcNcaException($"{first}: not on the page");
        var bottom = await page.Locator(last).First.BoundingBoxAsync() ?? throw new WbcNcaException($"{last}: not on the page");
        var main = (await page.Locator("main").BoundingBoxAsync())!;
        float scroll = await page.EvaluateAsync<float>("() => window.scrollY");
        return new Clip { X = main.X, Y = top.Y + scroll - 8, Width = main.Width, Height = bottom.Y + bottom.Height - top.Y + 16 };
    }

    private static async Task Save(IPage page, string outDir, string name, Clip clip)
    {
        string path = Path.Combine(outDir, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, Clip = clip, FullPage = true, Animations = ScreenshotAnimations.Disabled, Caret = ScreenshotCaret.Hide });
        Report(path);
    }

    private static async Task Save(ILocator element, string outDir, string name)
    {
        string path = Path.Combine(outDir, name);
        await element.ScreenshotAsync(new LocatorScreenshotOptions { Path = path, Animations = ScreenshotAnimations.Disabled, Caret = ScreenshotCaret.Hide });
        Report(path);
    }

    private static void Report(string path) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: {new FileInfo(path).Length / 1024} KB"));

    // `wbc-nca serve` on a free loopback port with a new review database; returns once it says where it listens.
    private static async Task<(Process, string)> StartServe(string launcher, string model, string db)
    {
        var info = new ProcessStartInfo(launcher) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "serve", "--model", model, "--db", db, "--urls", "http://127.0.0.1:0", "--threads", "2" }) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new WbcNcaException($"{launcher}: could not be started");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null)
            if (line.StartsWith("wbc-nca: serving", StringComparison.Ordinal))
                return (process, line.Split(" on ")[1].Split(' ')[0]);
        throw new WbcNcaException($"{launcher} serve did not start: {(await stderr).Trim()}");
    }
}
