using System.Diagnostics;
using System.Net;
using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Imaging;
using WbcNca.Tests.Export;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Cli;

[Collection(TorchCollection.Name)]
public class ServeCommandTests
{
    [Fact]
    public async Task Serve_starts_kestrel_on_loopback_answers_the_api_and_refuses_bad_uploads_without_stopping()
    {
        string dir = Directory.CreateTempSubdirectory("wbc-nca-serve-").FullName;
        string model = Path.Combine(dir, "m.safetensors");
        ModelFile.Save(OnnxExportTests.RandomBundle(Web.WebTestHost.Small, 6), model);
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
        };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "wbc-nca.dll"), "serve", "--model", model, "--urls", "http://127.0.0.1:0", "--samples", "2", "--threads", "1" })
            info.ArgumentList.Add(a);
        info.Environment["GLIBC_TUNABLES"] = WbcNca.Runtime.NativeAllocator.GlibcTunables;
        using var process = Process.Start(info)!;
        try
        {
            _ = process.StandardError.ReadToEndAsync();
            string? line;
            string url = "";
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
                while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null)
                    if (line.StartsWith("wbc-nca: serving", StringComparison.Ordinal)) { url = line.Split(" on ")[1].Split(' ')[0]; break; }
            Assert.StartsWith("http://127.0.0.1:", url);
            _ = process.StandardOutput.ReadToEndAsync();

            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(1) };
            Assert.Contains("\"ok\"", await client.GetStringAsync("/health"));
            using (var bad = new MultipartFormDataContent { { new ByteArrayContent("not an image"u8.ToArray()), "images", "cell.png" } })
            using (var r = await client.PostAsync("/api/predict", bad))
                Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode);
            byte[] png = TestImages.Png(TestImages.Pattern(20, 20));
            using (var good = new MultipartFormDataContent { { new ByteArrayContent(png), "images", "cell.png" } })
            using (var r = await client.PostAsync("/api/predict", good))
            {
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                var p = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("predictions")[0];
                Assert.Equal("cell.png", p.GetProperty("path").GetString());
                Assert.Equal(13, p.GetProperty("probability_std").GetArrayLength());
            }
            Assert.Contains("<svg", await client.GetStringAsync("/favicon.svg"));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            Directory.Delete(dir, recursive: true);
        }
    }
}
