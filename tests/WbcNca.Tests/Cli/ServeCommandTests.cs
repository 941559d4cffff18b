using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
        Task<string>? stdoutRest = null, stderr = null;
        try
        {
            stderr = process.StandardError.ReadToEndAsync();
            string? line;
            string url = "";
            var before = new List<string>();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
                while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null)
                {
                    if (line.StartsWith("wbc-nca: serving", StringComparison.Ordinal)) { url = line.Split(" on ")[1].Split(' ')[0]; break; }
                    before.Add(line);
                }
            Assert.StartsWith("http://127.0.0.1:", url);
            Assert.Empty(before);   // no ASP.NET Core start-up lines before ours
            stdoutRest = process.StandardOutput.ReadToEndAsync();

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
        // Our one line was all of standard output; nothing (no info lines, no stack) on standard error for this session.
        Assert.Equal("", (await stdoutRest!).Trim());
        Assert.Equal("", (await stderr!).Trim());
    }

    [Theory]
    [InlineData("notaurl", "error: --urls: 'notaurl' is not an address (expected http://HOST:PORT, e.g. http://127.0.0.1:5080)")]
    [InlineData("http://127.0.0.1:70000", "error: --urls: 'http://127.0.0.1:70000': port 70000 is out of range 0–65535")]
    [InlineData("https://127.0.0.1:5443", "error: --urls: 'https://127.0.0.1:5443': https needs a certificate: give --cert FILE.pfx (or --cert CERT.pem --cert-key KEY.pem), or use http:// behind a reverse proxy that does TLS")]
    [InlineData("ftp://127.0.0.1:2121", "error: --urls: 'ftp://127.0.0.1:2121': unsupported scheme 'ftp' (expected http://HOST:PORT, e.g. http://127.0.0.1:5080)")]
    [InlineData("http://127.0.0.1:5080/lab", "error: --urls: 'http://127.0.0.1:5080/lab': a path ('/lab') cannot be served; give only http://HOST:PORT")]
    public void A_bad_url_is_a_usage_error_of_one_line_with_exit_2(string urls, string expected)
    {
        var r = CliProcess.Run("serve", "--urls", urls);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([expected], r.StderrLines);
        Assert.Equal("", r.Stdout);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void A_busy_port_gives_one_line_and_exit_1()
    {
        string dir = Directory.CreateTempSubdirectory("wbc-nca-serve-").FullName;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            string model = Path.Combine(dir, "m.safetensors");
            ModelFile.Save(OnnxExportTests.RandomBundle(Web.WebTestHost.Small, 6), model);
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var r = CliProcess.Run("serve", "--model", model, "--urls", $"http://127.0.0.1:{port}", "--threads", "1");
            Assert.Equal(1, r.ExitCode);
            Assert.Equal([$"error: --urls http://127.0.0.1:{port}: address already in use (another program is listening there; choose another port)"], r.StderrLines);
            Assert.Equal("", r.Stdout);
            Assert.DoesNotContain("   at ", r.Stderr);
        }
        finally
        {
            listener.Stop();
            Directory.Delete(dir, recursive: true);
        }
    }
}
