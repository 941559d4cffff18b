using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace WbcNca.Web;

/// <summary>
/// The TLS certificate of <c>serve --urls https://…</c>: a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, holding the key) or
/// a PEM certificate with its key (in the same file or in <c>--cert-key</c>), read before the server starts so that a
/// missing or unreadable file stops it with one line.
/// </summary>
public static class ServerCertificate
{
    /// <summary>Reads the certificate and its private key.</summary>
    /// <param name="path">The certificate: PKCS#12 or PEM (recognised by content).</param>
    /// <param name="keyPath">The PEM private key, when <paramref name="path"/> is a PEM certificate without it.</param>
    /// <param name="password">The PKCS#12 file's password, or the encrypted PEM key's.</param>
    /// <exception cref="WbcNcaException">One line naming the file: missing, a folder, unreadable, not a certificate, a
    /// wrong password, or a certificate without its private key.</exception>
    public static X509Certificate2 Load(string path, string? keyPath = null, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = Read(path, "--cert");
        bool pem = System.Text.Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 4096)).Contains("-----BEGIN", StringComparison.Ordinal);
        if (keyPath is not null)
        {
            Read(keyPath, "--cert-key");
            if (!pem) throw WbcNcaException.ForFile(path, "is a PKCS#12 (.pfx) file, which holds its own key; --cert-key is for a PEM certificate");
        }
        X509Certificate2 cert;
        try
        {
            if (pem)
            {
                using X509Certificate2 fromPem = password is null
                    ? X509Certificate2.CreateFromPemFile(path, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
                // Through PKCS#12, so that the key is one TLS can use on every platform.
                cert = X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
            }
            else
            {
                cert = X509CertificateLoader.LoadPkcs12(bytes, password);
            }
        }
        catch (CryptographicException e)
        {
            string hint = pem && keyPath is null ? "; if the key is in another file, give it with --cert-key KEY.pem"
                : password is null ? "; if the file is protected, give --cert-password (or WBC_NCA_CERT_PASSWORD)" : "";
            throw WbcNcaException.ForFile(pem && keyPath is not null ? $"{path} + {keyPath}" : path,
                $"cannot read the certificate and its key ({e.Message.ReplaceLineEndings(" ").TrimEnd('.')}){hint}");
        }
        if (!cert.HasPrivateKey)
        {
            cert.Dispose();
            throw WbcNcaException.ForFile(path, "holds no private key; give a .pfx with the key, or the PEM key with --cert-key KEY.pem");
        }
        return cert;
    }

    /// <summary>Makes <paramref name="certificate"/> the certificate of every https:// address the server listens on.</summary>
    public static void Use(WebApplicationBuilder builder, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.UseKestrelHttpsConfiguration();   // the slim builder leaves https out unless asked
        builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(h => h.ServerCertificate = certificate));
    }

    private static byte[] Read(string path, string option)
    {
        if (Directory.Exists(path)) throw WbcNcaException.ForFile(path, $"is a folder, not a certificate file ({option})");
        if (!File.Exists(path)) throw WbcNcaException.ForFile(path, $"no such file ({option})");
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WbcNcaException.ForFile(path, $"cannot read ({option}): {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
