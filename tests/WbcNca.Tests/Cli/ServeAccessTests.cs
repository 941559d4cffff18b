using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using WbcNca.Checkpoints;
using WbcNca.Review;
using WbcNca.Tests.Export;
using WbcNca.Tests.Web;

namespace WbcNca.Tests.Cli;

/// <summary>
/// <c>serve</c>'s access options as a real process: bound to every interface (asked only over 127.0.0.1), tokens,
/// <c>--insecure-no-auth</c>, https with <c>--cert</c>, and the option mistakes.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class ServeAccessTests : IDisposable
{
    private readonly ServerTestFolder folder = new("wbc-nca-serve-access-");

    private string dir => folder.Path;

    public void Dispose() => folder.Dispose();

    private string SaveModel() => folder.SaveModel();

    /// <summary>Starts <c>wbc-nca serve</c>; returns it with the address it printed, its standard output line and its standard error (read to the end).</summary>
    private static Task<(Process Process, string Url, string Line, Task<string> Stderr)> StartServe(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        ServerTestFolder.StartServe(environment, args);

    private static async Task<string> Stop(Process process, Task<string> stderr)
    {
        if (!process.HasExited) process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        return await stderr;
    }

    /// <summary>The printed address with its host replaced by 127.0.0.1: tests never ask the machine's network address.</summary>
    private static Uri Loopback(string url) => new UriBuilder(new Uri(url)) { Host = "127.0.0.1" }.Uri;

    [Fact]
    public async Task Serve_with_insecure_no_auth_warns_in_one_line_and_serves_every_interface_without_tokens()
    {
        var (process, url, line, stderr) = await StartServe(null, "serve", "--model", SaveModel(), "--urls", "http://0.0.0.0:0", "--insecure-no-auth", "--threads", "1");
        string err;
        try
        {
            Assert.StartsWith("http://0.0.0.0:", url);
            Assert.Contains("(no records kept; no access tokens; Ctrl+C to stop)", line);
            using var client = new HttpClient { BaseAddress = Loopback(url) };
            using HttpResponseMessage model = await client.GetAsync("/api/model");
            Assert.Equal(HttpStatusCode.OK, model.StatusCode);
        }
        finally
        {
            err = await Stop(process, stderr);
        }
        Assert.Equal([$"warning: --insecure-no-auth: anyone who reaches {url} may classify, read every sample and change every review; give users access tokens instead ('wbc-nca users add')"],
            err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Serve_beyond_loopback_asks_for_the_token_that_users_add_printed_and_refuses_it_after_revoke()
    {
        string db = Path.Combine(dir, "reviews.db");
        var add = CliProcess.Run("users", "add", "ann", "--role", "reviewer", "--db", db);
        Assert.True(add.ExitCode == 0, add.Stderr);
        string token = add.StdoutLines[1];
        var (process, url, line, stderr) = await StartServe(null, "serve", "--model", SaveModel(), "--urls", "http://[::]:0", "--db", db, "--threads", "1");
        string err;
        try
        {
            Assert.Contains("access tokens required", line);
            using var client = new HttpClient { BaseAddress = Loopback(url) };
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/samples")).StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { Authorization = new("Bearer", token) } };
            using HttpResponseMessage me = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Contains("\"user\":\"ann\"", await me.Content.ReadAsStringAsync());

            Assert.Equal(0, CliProcess.Run("users", "revoke", "ann", "--db", db).ExitCode);
            using var again = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { Authorization = new("Bearer", token) } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(again)).StatusCode);
        }
        finally
        {
            err = await Stop(process, stderr);
        }
        Assert.Equal("", err.Trim());
    }

    [Fact]
    public async Task Serve_over_https_reads_a_pfx_with_its_password_from_the_environment()
    {
        using X509Certificate2 made = HttpsTests.SelfSigned();
        string pfx = Path.Combine(dir, "server.pfx");
        File.WriteAllBytes(pfx, made.Export(X509ContentType.Pkcs12, "p4ss"));
        var (process, url, _, stderr) = await StartServe(new Dictionary<string, string> { ["WBC_NCA_CERT_PASSWORD"] = "p4ss" },
            "serve", "--model", SaveModel(), "--urls", "https://127.0.0.1:0", "--cert", pfx, "--threads", "1");
        string err;
        try
        {
            Assert.StartsWith("https://127.0.0.1:", url);
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == made.Thumbprint };
            using var client = new HttpClient(handler) { BaseAddress = new Uri(url) };
            Assert.Contains("\"ok\"", await client.GetStringAsync("/health"));
        }
        finally
        {
            err = await Stop(process, stderr);
        }
        Assert.Equal("", err.Trim());
    }

    [Fact]
    public void Serve_beyond_loopback_without_a_user_stops_with_one_line_before_the_model_loads()
    {
        string broken = Path.Combine(dir, "broken.safetensors");
        File.WriteAllText(broken, "not a model");   // were it loaded first, the error would be about it
        var noDb = CliProcess.Run("serve", "--model", broken, "--urls", "http://0.0.0.0:0", "--threads", "1");
        Assert.Equal(1, noDb.ExitCode);
        Assert.Equal(["error: --urls http://0.0.0.0:0 serves beyond this machine, so every client needs an access token, and tokens are kept in the review database: give --db PATH and add users with 'wbc-nca users add NAME --role reviewer --db PATH', or --insecure-no-auth to serve without tokens"],
            noDb.StderrLines);
        string db = Path.Combine(dir, "reviews.db");
        var noUser = CliProcess.Run("serve", "--model", broken, "--urls", "http://127.0.0.1:0", "--require-auth", "--db", db, "--threads", "1");
        Assert.Equal(1, noUser.ExitCode);
        Assert.Equal([$"error: {db}: has no user with a valid token, and --require-auth asks every client for an access token: add one with 'wbc-nca users add NAME --role reviewer --db {db}'"],
            noUser.StderrLines);
        Assert.Equal("", noDb.Stdout + noUser.Stdout);
    }

    [Theory]
    [InlineData(2, "error: --cert is for https:// addresses, and --urls http://127.0.0.1:0 has none; give --urls https://HOST:PORT", "--urls", "http://127.0.0.1:0", "--cert", "x.pfx")]
    [InlineData(2, "error: --cert-key needs --cert (the PEM certificate it belongs to)", "--cert-key", "k.pem")]
    [InlineData(2, "error: --require-auth and --insecure-no-auth contradict each other; give one of them", "--require-auth", "--insecure-no-auth")]
    [InlineData(2, "error: --rate-limit must be ≥ 0 (0 turns it off; got -1)", "--rate-limit", "-1")]
    [InlineData(1, "error: DIR/absent.pfx: no such file (--cert)", "--urls", "https://127.0.0.1:0", "--cert", "DIR/absent.pfx")]
    public void A_mistake_in_the_access_options_is_one_line_before_the_model_loads(int exit, string expected, params string[] args)
    {
        string broken = Path.Combine(dir, "broken.safetensors");
        File.WriteAllText(broken, "not a model");
        var r = CliProcess.Run(["serve", "--model", broken, "--threads", "1", .. args.Select(a => a.Replace("DIR", dir, StringComparison.Ordinal))]);
        Assert.Equal(exit, r.ExitCode);
        Assert.Equal([expected.Replace("DIR", dir, StringComparison.Ordinal)], r.StderrLines);
        Assert.Equal("", r.Stdout);
    }
}
