using System.Security.Cryptography;

namespace WbcNca.Review;

/// <summary>
/// Which model gave an answer: the model file's name and the SHA-256 of its content (so two files of one name, or one
/// file renamed, are told apart).
/// </summary>
/// <param name="FileName">The model file's name, without its folder.</param>
/// <param name="Sha256">SHA-256 of the file's bytes, 64 lower-case hex digits.</param>
public sealed record ModelIdentity(string FileName, string Sha256)
{
    /// <summary>The identity of the model file at <paramref name="path"/> (reads the whole file once).</summary>
    /// <exception cref="WbcNcaException">The file cannot be read.</exception>
    public static ModelIdentity Of(string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            return new ModelIdentity(Path.GetFileName(path), Convert.ToHexStringLower(SHA256.HashData(stream)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WbcNcaException.ForFile(path, $"cannot read: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
