using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WbcNca.Imaging;

namespace WbcNca.Web;

/// <summary>
/// One uploaded file: decoded (format recognised from its bytes, never from its name), or refused with the reason.
/// A refused file does not refuse the others of its request.
/// </summary>
/// <param name="Name">The file name the client gave (used only to label the answer).</param>
/// <param name="Image">The decoded 8-bit RGB image, or null when the file was refused.</param>
/// <param name="Error">Why the file was refused (415 not an image, 413 too large, 400 corrupt or empty), or null.</param>
/// <param name="Bytes">The file as it was uploaded (kept with the review records when the server keeps them).</param>
public sealed record UploadedImage(string Name, Rgb8Image? Image, ApiException? Error = null, byte[]? Bytes = null)
{
    /// <summary>The decoded image; throws the file's <see cref="Error"/> when it was refused.</summary>
    public Rgb8Image Decoded => Image ?? throw Error ?? new ApiException(400, $"{Name}: not decoded", Name);
}

/// <summary>Reads the images of a multipart request and enforces the limits of <see cref="WebOptions"/>.</summary>
public static class Upload
{
    /// <summary>
    /// Reads every file part of a <c>multipart/form-data</c> request and decodes each on its own. The request as a whole
    /// is refused with an <see cref="ApiException"/>: 415 for a body that is not multipart, 413 for a body or an image
    /// count over the limits, 400 for a malformed body or no image. A file that is not a JPEG, PNG, BMP or TIFF (415),
    /// declares too many pixels (413) or is corrupt or empty (400) comes back with its <see cref="UploadedImage.Error"/>,
    /// in request order with the others.
    /// </summary>
    public static async Task<List<UploadedImage>> ReadAsync(HttpRequest request, WebOptions options, CancellationToken cancel)
    {
        if (!request.HasFormContentType || request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
            throw new ApiException(415, "send the images as multipart/form-data (one file part per image)");
        if (request.ContentLength is long length && length > options.MaxUploadBytes)
            throw new ApiException(413, $"request body of {length} bytes is over the limit of {options.MaxUploadBytes} bytes");
        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = options.MaxUploadBytes;

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions
            {
                MultipartBodyLengthLimit = options.MaxUploadBytes,
                ValueCountLimit = options.MaxImagesPerRequest + 16,
                BufferBodyLengthLimit = options.MaxUploadBytes,
            }, cancel).ConfigureAwait(false);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(413, $"request is over the limits ({e.Message}); at most {options.MaxImagesPerRequest} images and {options.MaxUploadBytes} bytes per request");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ApiException(413, $"request body is over the limit of {options.MaxUploadBytes} bytes");
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            throw new ApiException(400, $"malformed multipart body ({e.Message})");
        }

        if (form.Files.Count == 0) throw new ApiException(400, "no image in the request (send one file part per image)");
        if (form.Files.Count > options.MaxImagesPerRequest)
            throw new ApiException(413, $"{form.Files.Count} images in one request, more than the limit of {options.MaxImagesPerRequest}");

        var decoder = new ImageDecoderOptions(options.MaxImagePixels);
        var images = new List<UploadedImage>(form.Files.Count);
        foreach (IFormFile file in form.Files)
        {
            string name = string.IsNullOrWhiteSpace(file.FileName) ? file.Name : Path.GetFileName(file.FileName);
            byte[] data = new byte[file.Length];
            await using (Stream s = file.OpenReadStream())
                await s.ReadExactlyAsync(data, cancel).ConfigureAwait(false);
            try
            {
                images.Add(new UploadedImage(name, Decode(data, name, decoder), Bytes: data));
            }
            catch (ApiException e)
            {
                images.Add(new UploadedImage(name, null, e));
            }
        }
        return images;
    }

    /// <summary>Decodes one upload, mapping decoder errors to 415 (not an image), 413 (too large) or 400 (corrupt).</summary>
    public static Rgb8Image Decode(byte[] data, string name, ImageDecoderOptions decoder)
    {
        if (data.Length == 0) throw new ApiException(400, $"{name}: empty file (0 bytes)", name);
        if (ImageDecoder.DetectFormat(data) == ImageFormat.Unknown)
            throw new ApiException(415, $"{name}: not an image (unknown format; expected JPEG, PNG, BMP or TIFF)", name);
        try
        {
            return ImageDecoder.Decode8(data, name, decoder);
        }
        catch (ImageLoadException e) when (e.Problem.StartsWith("image too large", StringComparison.Ordinal) || e.Problem.StartsWith("not enough memory", StringComparison.Ordinal))
        {
            throw new ApiException(413, e.Message, name);
        }
        catch (ImageLoadException e)
        {
            throw new ApiException(400, e.Message, name);
        }
    }
}
