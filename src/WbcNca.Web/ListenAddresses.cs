using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace WbcNca.Web;

/// <summary>
/// The addresses the server listens on (<c>--urls</c>), checked before the server starts, and the reasons a start
/// fails, each in words on one line (Kestrel reports both as exceptions with stack traces).
/// </summary>
public static class ListenAddresses
{
    /// <summary>
    /// Splits <paramref name="urls"/> at ';' and checks each address: <c>http://HOST:PORT</c> (HOST an IP address, a
    /// name, <c>localhost</c>, <c>*</c> or <c>+</c>; PORT 0–65535, 0 for any free port), <c>https://HOST:PORT</c> when
    /// <paramref name="certificate"/> (a certificate was given), or <c>http://unix:/PATH</c>.
    /// </summary>
    /// <exception cref="FormatException">An address is not one of those; the message is one line saying why.</exception>
    public static IReadOnlyList<string> Parse(string urls, bool certificate = false)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var addresses = urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (addresses.Length == 0) throw new FormatException("no address given (expected http://HOST:PORT, e.g. http://127.0.0.1:5080)");
        foreach (string a in addresses) Check(a, certificate);
        return addresses;
    }

    /// <summary>True for an <c>https://</c> address.</summary>
    public static bool IsHttps(string address) => address.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The first of <paramref name="addresses"/> that reaches beyond this machine, or null when every one is loopback
    /// (an IP address in 127.0.0.0/8, ::1, or <c>localhost</c>). Everything else reaches further: 0.0.0.0, [::], *, +,
    /// a network address, a host name (it may resolve to one), and a Unix socket (usually a reverse proxy's way in).
    /// </summary>
    public static string? BeyondLoopback(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        foreach (string a in addresses)
        {
            BindingAddress parsed;
            try { parsed = BindingAddress.Parse(a); }
            catch (FormatException) { return a; }
            if (parsed.IsUnixPipe || parsed.IsNamedPipe) return a;
            string host = parsed.Host.Trim('[', ']');
            bool loopback = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
                || (System.Net.IPAddress.TryParse(host, out System.Net.IPAddress? ip) && System.Net.IPAddress.IsLoopback(ip));
            if (!loopback) return a;
        }
        return null;
    }

    private static void Check(string address, bool certificate)
    {
        const string Expected = "expected http://HOST:PORT, e.g. http://127.0.0.1:5080";
        BindingAddress parsed;
        try
        {
            parsed = BindingAddress.Parse(address);
        }
        catch (FormatException)
        {
            throw new FormatException($"'{address}' is not an address ({Expected})");
        }
        bool https = string.Equals(parsed.Scheme, "https", StringComparison.OrdinalIgnoreCase);
        if (https && !certificate)
            throw new FormatException($"'{address}': https needs a certificate: give --cert FILE.pfx (or --cert CERT.pem --cert-key KEY.pem), or use http:// behind a reverse proxy that does TLS");
        if (https && parsed.IsUnixPipe) throw new FormatException($"'{address}': https on a Unix socket is not supported; use http://unix:/PATH behind a reverse proxy");
        if (!https && !string.Equals(parsed.Scheme, "http", StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"'{address}': unsupported scheme '{parsed.Scheme}' ({Expected})");
        if (parsed.IsNamedPipe) throw new FormatException($"'{address}': named pipes are not supported ({Expected})");
        if (parsed.IsUnixPipe) return;
        if (string.IsNullOrEmpty(parsed.Host)) throw new FormatException($"'{address}' has no host ({Expected})");
        if (parsed.Port is < 0 or > 65535) throw new FormatException($"'{address}': port {parsed.Port} is out of range 0–65535");
        if (!string.IsNullOrEmpty(parsed.PathBase) && parsed.PathBase != "/")
            throw new FormatException($"'{address}': a path ('{parsed.PathBase}') cannot be served; give only http://HOST:PORT");
    }

    /// <summary>Why the server could not start listening, in one line (address in use, permission denied, …).</summary>
    public static string StartProblem(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x.GetType().Name == "AddressInUseException" || x is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
                return "address already in use (another program is listening there; choose another port)";
            if (x is SocketException { SocketErrorCode: SocketError.AccessDenied })
                return "permission denied (ports below 1024 need administrator rights; choose a port above 1024)";
            if (x is SocketException { SocketErrorCode: SocketError.AddressNotAvailable })
                return "this machine has no such address (use 127.0.0.1, or 0.0.0.0 for every network interface)";
        }
        Exception inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return $"cannot listen ({inner.Message.ReplaceLineEndings(" ").TrimEnd('.')})";
    }
}
