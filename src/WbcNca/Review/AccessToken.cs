using System.Security.Cryptography;
using System.Text;

namespace WbcNca.Review;

/// <summary>
/// The access tokens of a served page's users: 256 random bits from the system's cryptographic generator, written as
/// <c>wbc_</c> and 43 base64url characters. The review database keeps only their SHA-256, so a copy of the database
/// does not give anyone a working token.
/// </summary>
public static class AccessToken
{
    /// <summary>What every token starts with (it tells a reader what the string is).</summary>
    public const string Prefix = "wbc_";

    /// <summary>A new token.</summary>
    public static string New() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The SHA-256 of the token's UTF-8 bytes, in lowercase hex: what the database stores and looks up.</summary>
    public static string Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
