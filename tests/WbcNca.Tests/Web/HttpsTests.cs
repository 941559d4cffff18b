using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using WbcNca.Tests.Export;
using WbcNca.Web;

namespace WbcNca.Tests.Web;

/// <summary><c>serve --urls https://…</c>: a self-signed certificate made here, as a .pfx and as PEM files; clients on loopback.</summary>
[Collection(TorchCollection.Name)]
public sealed class HttpsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-https-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, valid for a day.</summary>
    public static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=wbc-nca test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));   // server authentication
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private string WritePfx(X509Certificate2 cert, string password)
    {
        string path = Path.Combine(dir, "server.pfx");
        File.WriteAllBytes(path, cert.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    private (string Cert, string Key) WritePem(X509Certificate2 cert)
    {
        string certPath = Path.Combine(dir, "server.crt"), keyPath = Path.Combine(dir, "server.key");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, cert.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }

    [Theory]
    [InlineData("pfx")]
    [InlineData("pem")]
    public async Task Https_with_a_self_signed_certificate_serves_the_page_and_the_api_to_a_client_that_trusts_it(string format)
    {
        using X509Certificate2 made = SelfSigned();
        X509Certificate2 loaded = format == "pfx"
            ? ServerCertificate.Load(WritePfx(made, "s3cret"), password: "s3cret")
            : ServerCertificate.Load(WritePem(made).Cert, WritePem(made).Key);
        Assert.True(loaded.HasPrivateKey);

        await using WebApplication app = WbcNcaServer.Create(OnnxExportTests.RandomBundle(WebTestHost.Small, 1), WebTestHost.Limits, configure: b =>
        {
            b.WebHost.UseUrls("https://127.0.0.1:0");
            ServerCertificate.Use(b, loaded);
        });
        await app.StartAsync();
        string url = app.Urls.Single();
        Assert.StartsWith("https://127.0.0.1:", url);

        X509Certificate2? seen = null;
        using var handler = new HttpClientHandler
        {
            // Trust exactly the test's certificate (it is in no trust store).
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                seen = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.RawData);
                return cert is not null && cert.Thumbprint == made.Thumbprint;
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(url) };
        using HttpResponseMessage health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(made.Thumbprint, seen!.Thumbprint);
        Assert.Contains("\"summary\"", await client.GetStringAsync("/api/model"));

        // A client that checks certificates the usual way refuses the self-signed one: the connection is TLS.
        using var strict = new HttpClient { BaseAddress = new Uri(url) };
        await Assert.ThrowsAsync<HttpRequestException>(() => strict.GetAsync("/health"));
    }

    [Fact]
    public void A_missing_unreadable_or_keyless_certificate_is_one_line_naming_the_file()
    {
        string missing = Path.Combine(dir, "absent.pfx");
        Assert.Equal($"{missing}: no such file (--cert)", Assert.Throws<WbcNcaException>(() => ServerCertificate.Load(missing)).Message);

        using X509Certificate2 made = SelfSigned();
        string pfx = WritePfx(made, "right");
        string wrong = Assert.Throws<WbcNcaException>(() => ServerCertificate.Load(pfx, password: "wrong")).Message;
        Assert.StartsWith($"{pfx}: cannot read the certificate and its key (", wrong);
        string none = Assert.Throws<WbcNcaException>(() => ServerCertificate.Load(pfx)).Message;
        Assert.EndsWith("; if the file is protected, give --cert-password (or WBC_NCA_CERT_PASSWORD)", none);

        var (cert, key) = WritePem(made);
        string keyless = Assert.Throws<WbcNcaException>(() => ServerCertificate.Load(cert)).Message;
        Assert.StartsWith($"{cert}: cannot read the certificate and its key (", keyless);
        Assert.EndsWith("; if the key is in another file, give it with --cert-key KEY.pem", keyless);
        string notes = Path.Combine(dir, "notes.pfx");
        File.WriteAllText(notes, "not a certificate");
        Assert.StartsWith($"{notes}: cannot read the certificate and its key (", Assert.Throws<WbcNcaException>(() => ServerCertificate.Load(notes)).Message);
        Assert.Equal($"{pfx}: is a PKCS#12 (.pfx) file, which holds its own key; --cert-key is for a PEM certificate",
            Assert.Throws<WbcNcaException>(() => ServerCertificate.Load(pfx, key, "right")).Message);
        foreach (string m in new[] { wrong, none, keyless }) Assert.DoesNotContain('\n', m);
    }
}
