using System.Diagnostics;
using System.Text.RegularExpressions;
using SkiaSharp;
using WbcNca.Checkpoints;
using WbcNca.Explainability;
using WbcNca.Inference;

namespace WbcNca.Tests.Explainability;

[Collection(TorchCollection.Name)]
public class ReportTests
{
    private static readonly Lazy<(ModelBundle Bundle, Explanation Plain, Explanation Evolving)> Explained = new(() =>
    {
        ModelBundle bundle = ExplainerTests.Random(WbcNca.Model.NcaConfig.Compact with { Steps = 8 });
        var explainer = new Explainer(bundle);
        var run = new PredictOptions(Samples: 2, Seed: 1);
        return (bundle,
            explainer.Explain(TestCells.Disc(48, 20, 25, 9), "folder/<cell> & \"friend\".png", new ExplainOptions(Top: 3), run),
            explainer.Explain(TestCells.Disc(32, 16, 16, 6, seed: 2), "evolving.png", new ExplainOptions(Top: 2, EvolutionEvery: 2), run));
    });

    [Fact]
    public void The_figure_is_a_png_with_a_panel_per_top_channel_and_rows_for_the_evolution()
    {
        var (bundle, plain, evolving) = Explained.Value;
        using SKBitmap a = SKBitmap.Decode(ExplanationFigure.RenderPng(plain, bundle.Classes, panel: 96));
        using SKBitmap b = SKBitmap.Decode(ExplanationFigure.RenderPng(evolving, bundle.Classes, panel: 96));
        Assert.NotNull(a);
        Assert.InRange(a.Width, 8 + 4 * (96 + 8), 8 + 4 * (200 + 8));   // input + 3 channels (columns widen for their captions in words)
        Assert.True(b.Height > a.Height + 2 * 48, "the evolution adds one row per top channel");
        // The first channel panel shows a colour-mapped map, not a blank area.
        var colours = new HashSet<SKColor>();
        int pitch = (a.Width - 8) / 4;   // four equal columns (input + 3 channels), each a panel and its caption's width
        for (int y = 76; y < 76 + 96; y += 3) for (int x = 8 + pitch; x < 8 + pitch + 96; x += 3) colours.Add(a.GetPixel(x, y));
        Assert.True(colours.Count > 10, $"only {colours.Count} colours in the first channel's panel");
    }

    [Fact]
    public void Text_is_drawn_when_a_font_is_available()
    {
        Skip.IfNot(ExplanationFigure.TextAvailable, "no usable font on this machine: the figure is drawn without labels");
        var (bundle, plain, _) = Explained.Value;
        using SKBitmap a = SKBitmap.Decode(ExplanationFigure.RenderPng(plain, bundle.Classes));
        int dark = 0;
        for (int y = 0; y < 40; y++) for (int x = 0; x < 300; x++) if (a.GetPixel(x, y).Red < 100) dark++;
        Assert.True(dark > 200, "the header has (almost) no text");
    }

    [Fact]
    public void The_json_holds_every_channel_and_the_relevance_budget()
    {
        var (bundle, plain, _) = Explained.Value;
        using var doc = System.Text.Json.JsonDocument.Parse(ExplanationJson.Write(plain, bundle.Classes, seed: 1));
        var root = doc.RootElement;
        Assert.Equal(32, root.GetProperty("channels").GetArrayLength());
        Assert.Equal(3, root.GetProperty("top_channels").GetArrayLength());
        var r = root.GetProperty("relevance");
        double sum = root.GetProperty("channels").EnumerateArray().Sum(c => c.GetProperty("relevance").GetDouble());
        Assert.Equal(r.GetProperty("logit").GetDouble(), sum + r.GetProperty("output_bias_share").GetDouble() + r.GetProperty("hidden_bias_share").GetDouble(), 9);
        Assert.Equal(13, root.GetProperty("probability_std").EnumerateObject().Count());
        Assert.Equal(plain.TopChannels[0], root.GetProperty("top_channels")[0].GetProperty("channel").GetInt32());
    }

    private static string Report()
    {
        var (bundle, plain, evolving) = Explained.Value;
        var entries = new[] { plain, evolving }.Select(e => new ReportEntry(e, ExplanationFigure.RenderPng(e, bundle.Classes, 64), "x.json")).ToList();
        return HtmlReport.Build("Test <report>", bundle.Classes, [new("model", "m.safetensors")], entries, ["bad.png: not an image"]);
    }

    [Fact]
    public void The_report_is_self_contained_escapes_names_and_embeds_every_figure()
    {
        string html = Report();
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new Regex(@"(src|href)\s*=\s*""(https?:)?//", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("url(", html);
        Assert.Contains("&lt;cell&gt; &amp; &quot;friend&quot;", html);
        Assert.DoesNotContain("<cell>", html);
        var images = Regex.Matches(html, @"src=""data:image/png;base64,([A-Za-z0-9+/=]+)""");
        Assert.Equal(2, images.Count);
        foreach (Match m in images)
        {
            using SKBitmap b = SKBitmap.Decode(Convert.FromBase64String(m.Groups[1].Value));
            Assert.NotNull(b);
        }
        Assert.Contains("bad.png: not an image", html);
        Assert.Contains("± std", html);   // two stochastic runs: uncertainty is shown
    }

    [SkippableFact]
    public void The_report_opens_in_headless_chromium_without_console_errors()
    {
        const string chromium = "/usr/bin/chromium";
        Skip.IfNot(File.Exists(chromium), $"{chromium} is absent (apt-get install chromium): the report is not checked in a browser");
        string dir = Path.Combine(Path.GetTempPath(), $"wbc-explain-html-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string page = Path.Combine(dir, "report.html");
            File.WriteAllText(page, Report());
            string shot = Path.Combine(dir, "shot.png");
            var (code, dom, log) = Chromium(chromium, dir, $"--screenshot={shot}", "--window-size=1200,1600", "--dump-dom", new Uri(page).AbsoluteUri);
            Assert.True(code == 0, $"chromium exited with {code}: {log}");
            Assert.Contains("<h1>Test &lt;report&gt;</h1>", dom);
            Assert.Equal(2, Regex.Matches(dom, "<img ").Count);
            var console = ConsoleMessages(log);
            Assert.True(console.Count == 0, "console messages: " + string.Join(" | ", console));

            // The check can fail: a page with a script error shows up in the same log.
            string broken = Path.Combine(dir, "broken.html");
            File.WriteAllText(broken, "<!DOCTYPE html><html><body><script>undefinedFunction()</script></body></html>");
            var (_, _, brokenLog) = Chromium(chromium, dir, "--dump-dom", new Uri(broken).AbsoluteUri);
            Assert.NotEmpty(ConsoleMessages(brokenLog));
            if (File.Exists(shot))
            {
                using SKBitmap s = SKBitmap.Decode(shot);
                var colours = new HashSet<SKColor>();
                for (int y = 0; y < s.Height; y += 7) for (int x = 0; x < s.Width; x += 7) colours.Add(s.GetPixel(x, y));
                Assert.True(colours.Count > 50, "the screenshot is (nearly) blank");
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static List<string> ConsoleMessages(string log) => log.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)
        || l.Contains("Uncaught", StringComparison.Ordinal) || l.Contains("Failed to load", StringComparison.Ordinal) || l.Contains("net::ERR", StringComparison.Ordinal)).ToList();

    private static (int Code, string Stdout, string Stderr) Chromium(string exe, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0", $"--user-data-dir={Path.Combine(dir, "profile")}",
        }) psi.ArgumentList.Add(a);
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish in 60 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
