using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WbcNca.Imaging;
using WbcNca.Review;

namespace WbcNca.Web;

/// <summary>
/// The review API of a server that keeps records: <c>POST /api/cells/{id}/review</c> (JSON <c>{"class", "reviewer"}</c>
/// or <c>{"confirm": true, "reviewer"}</c>), <c>GET /api/cells/{id}</c>, <c>GET /api/cells/{id}/history</c>,
/// <c>GET /api/samples</c> (<c>?q=&amp;order=newest&amp;offset=&amp;limit=</c>: a page of them, with the total),
/// <c>GET /api/samples/{name}</c> (its cells and its differential count following the
/// reviews), <c>GET /api/export.csv</c> (optional <c>?sample=</c>) and <c>GET /api/audit.csv</c> (the history of
/// cells: optional <c>?sample=</c>, <c>?cell=</c>). A server without records answers them 501. Reviews and exports
/// need the reviewer role (<see cref="AccessControl.RequireReviewer"/>); with a token, the reviewer recorded is the
/// token's user.
/// </summary>
public static class ReviewEndpoints
{
    /// <summary>Largest review body accepted (a review is a few dozen bytes); more is refused with 413.</summary>
    public const int MaxReviewBytes = 4096;

    /// <summary>Longest sample or reviewer name.</summary>
    public const int MaxNameLength = 120;

    /// <summary>The reviewer recorded when the client names none.</summary>
    public const string DefaultReviewer = "local";

    /// <summary>Response header of <c>GET /api/cells/{id}/image?preview=true</c>: the upload's width in pixels (the preview may be smaller).</summary>
    public const string ImageWidthHeader = "X-Image-Width";

    /// <summary>Response header of <c>GET /api/cells/{id}/image?preview=true</c>: the upload's height in pixels.</summary>
    public const string ImageHeightHeader = "X-Image-Height";

    /// <summary>Maps the endpoints; with <paramref name="records"/> null each answers 501 (the server keeps no records).</summary>
    /// <param name="app">The application.</param>
    /// <param name="records">The records, or null.</param>
    /// <param name="json">How answers are written.</param>
    /// <param name="maxImagePixels">The server's limit on an image's pixels, applied when a stored image is decoded for a preview.</param>
    public static void Map(WebApplication app, ReviewRecords? records, JsonSerializerOptions json, long maxImagePixels)
    {
        ReviewRecords Records() => records ?? throw new ApiException(501, "this server keeps no records, so cells cannot be reviewed here (start it with 'wbc-nca serve --db')");

        app.MapPost("/api/cells/{id}/review", async (HttpContext context, string id) =>
        {
            ReviewRecords r = Records();
            AccessControl.RequireReviewer(context, "confirming or correcting cells");
            long cellId = CellId(id);
            (string? label, string? claimed) = await ReadReviewAsync(context.Request, context.RequestAborted);
            string reviewer = Reviewer(claimed, AccessControl.User(context));
            CellReview review = r.Database.AddReview(cellId, label, reviewer, r.Now);
            StoredCell cell = r.Database.Cell(cellId)!;
            IReadOnlyList<StoredCell> sample = r.Database.Cells(cell.Sample);
            return Results.Json(new Dictionary<string, object>
            {
                ["review"] = review.ToJsonObject(),
                ["cell"] = cell.ToJsonObject(),
                ["count"] = ReviewedCount.Of(cell.Sample, sample).ToJsonObject(),
            }, json);
        });

        app.MapGet("/api/cells/{id}", (string id) =>
        {
            StoredCell cell = Records().Database.Cell(CellId(id)) ?? throw new ApiException(404, $"no cell {id}");
            return Results.Json(cell.ToJsonObject(), json);
        });

        app.MapGet("/api/cells/{id}/history", (string id) =>
        {
            ReviewRecords r = Records();
            long cellId = CellId(id);
            StoredCell cell = r.Database.Cell(cellId) ?? throw new ApiException(404, $"no cell {id}");
            IReadOnlyList<CellReview> history = r.Database.History(cellId) ?? [];
            return Results.Json(new Dictionary<string, object>
            {
                ["cell"] = cell.ToJsonObject(),
                ["history"] = history.Select(h => h.ToJsonObject()).ToList(),
            }, json);
        });

        // The stored upload of a cell, as it came (JPEG, PNG, BMP or TIFF), or with ?preview=true a PNG preview (longer
        // side at most 256 pixels, 512 for a field) that a browser can show, with the upload's size in two headers so that
        // the cells' boxes can be placed on it. Readable by whoever may read the cell (viewers too).
        app.MapGet("/api/cells/{id}/image", (HttpContext context, string id) =>
        {
            ReviewRecords r = Records();
            StoredCell cell = r.Database.Cell(CellId(id)) ?? throw new ApiException(404, $"no cell {id}");
            byte[] bytes = r.Database.Image(cell.ImageSha256) ?? throw new ApiException(404, $"the image of cell {id} is not in the database");
            context.Response.Headers.CacheControl = "private, no-cache";
            if (!PreviewQuery(context.Request))
            {
                context.Response.Headers.ContentDisposition = $"inline; filename=\"{SafeFileName(cell.FileName)}\"";
                return Results.Bytes(bytes, ContentType(cell.ImageFormat));
            }
            Rgb8Image image = Upload.Decode(bytes, cell.FileName, new ImageDecoderOptions(maxImagePixels));
            context.Response.Headers[ImageWidthHeader] = image.Width.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers[ImageHeightHeader] = image.Height.ToString(CultureInfo.InvariantCulture);
            return Results.Bytes(PngEncoder.Preview(image, cell.CellsInImage > 1 ? 512 : 256), "image/png");
        });

        app.MapGet("/api/samples", (HttpContext context) =>
        {
            ReviewRecords r = Records();
            SampleQuery query = SamplesQuery(context.Request);
            SamplePage page = r.Database.Samples(query);
            var answer = new Dictionary<string, object>
            {
                ["samples"] = page.Samples.Select(s => s.ToJsonObject()).ToList(),
                ["total"] = page.Total,
                ["order"] = query.NewestFirst ? "newest" : "oldest",
                ["offset"] = query.Offset,
            };
            if (query.Limit is int limit) answer["limit"] = limit;
            if (query.NameContains is string q) answer["q"] = q;
            return Results.Json(answer, json);
        });

        app.MapGet("/api/samples/{name}", (string name) =>
        {
            IReadOnlyList<StoredCell> cells = Records().Database.Cells(name);
            return Results.Json(new Dictionary<string, object>
            {
                ["sample"] = name,
                ["count"] = ReviewedCount.Of(name, cells).ToJsonObject(),
                // The class list of each model that answered a cell here: a cell's probabilities are in its model's order.
                ["models"] = cells.DistinctBy(c => c.Model).Select(c => new Dictionary<string, object>
                {
                    ["file"] = c.Model.FileName,
                    ["sha256"] = c.Model.Sha256,
                    ["classes"] = c.Classes,
                }).ToList(),
                ["cells"] = cells.Select(c => c.ToJsonObject()).ToList(),
            }, json);
        });

        app.MapGet("/api/export.csv", (HttpContext context) =>
        {
            ReviewRecords r = Records();
            AccessControl.RequireReviewer(context, "exporting the records");
            string? sample = context.Request.Query["sample"];
            string csv = ReviewExport.Csv(r.Database.Cells(sample is null ? null : SampleName(sample)));
            string file = sample is null ? "wbc-nca-reviews.csv" : $"wbc-nca-reviews-{SafeFileName(sample)}.csv";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{file}\"";
            return Results.Text(csv, "text/csv", Encoding.UTF8);
        });

        // The audit trail: per cell the model's answer, then every review with who and when (AuditTrail).
        app.MapGet("/api/audit.csv", (HttpContext context) =>
        {
            ReviewRecords r = Records();
            AccessControl.RequireReviewer(context, "exporting the records");
            string? sample = context.Request.Query["sample"];
            string? cell = context.Request.Query["cell"];
            long? cellId = cell is null ? null : CellId(cell);
            string csv = AuditTrail.Csv(r.Database, sample is null ? null : SampleName(sample), cellId);
            string file = cellId is long c ? $"wbc-nca-audit-cell-{c}.csv" : sample is null ? "wbc-nca-audit.csv" : $"wbc-nca-audit-{SafeFileName(sample)}.csv";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{file}\"";
            return Results.Text(csv, "text/csv", Encoding.UTF8);
        });
    }

    /// <summary>
    /// The list a <c>GET /api/samples</c> asks for: <c>?q=</c> (names containing it), <c>?order=oldest|newest</c>
    /// (default oldest, as before paging), <c>?offset=</c> and <c>?limit=</c> (1..<see cref="SampleQuery.MaxLimit"/>;
    /// none: every sample). A value out of range is a 400 naming the parameter.
    /// </summary>
    public static SampleQuery SamplesQuery(HttpRequest request)
    {
        string? order = request.Query["order"];
        if (order is not (null or "oldest" or "newest"))
            throw new ApiException(400, $"query parameter 'order' must be 'oldest' or 'newest' (got '{order}')");
        string? q = request.Query["q"].ToString().Trim() is { Length: > 0 } t ? t : null;
        if (q is { Length: > MaxNameLength }) throw new ApiException(400, $"query parameter 'q' is longer than {MaxNameLength} characters");
        int? limit = request.Query.ContainsKey("limit") ? WbcNcaServer.IntQuery(request, "limit", 0, 1, SampleQuery.MaxLimit) : null;
        int offset = WbcNcaServer.IntQuery(request, "offset", 0, 0, int.MaxValue);
        return new SampleQuery(q, order == "newest", offset, limit);
    }

    /// <summary>
    /// The sample name of a request, trimmed: 1 to <see cref="MaxNameLength"/> characters, no control character, no
    /// '/' or '\' (it is part of <c>/api/samples/{name}</c>). Otherwise 400.
    /// </summary>
    public static string SampleName(string raw)
    {
        string name = raw.Trim();
        if (name.Length == 0) throw new ApiException(400, "the sample name is empty");
        if (name.Length > MaxNameLength) throw new ApiException(400, $"the sample name is longer than {MaxNameLength} characters");
        if (name.Any(char.IsControl) || name.Contains('/') || name.Contains('\\'))
            throw new ApiException(400, "the sample name must not contain '/', '\\' or control characters");
        return name;
    }

    /// <summary>
    /// Who made a review: the user of the request's token when it carries one (the name the client sends is then
    /// ignored); otherwise, on a server that does not require tokens, the name the client sends (trimmed;
    /// <see cref="DefaultReviewer"/> when it sends none).
    /// </summary>
    /// <exception cref="ApiException">400: a claimed name (without a token) that is too long or holds control characters.</exception>
    public static string Reviewer(string? claimed, ReviewUser? user = null)
    {
        if (user is not null) return user.Name;
        string name = claimed?.Trim() ?? "";
        if (name.Length == 0) return DefaultReviewer;
        if (name.Length > MaxNameLength) throw new ApiException(400, $"'reviewer' is longer than {MaxNameLength} characters");
        if (name.Any(char.IsControl)) throw new ApiException(400, "'reviewer' must not contain control characters");
        return name;
    }

    private static long CellId(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : throw new ApiException(404, $"no cell {id} (cell ids are numbers)");

    /// <summary>
    /// Reads a review body: at most <see cref="MaxReviewBytes"/> of JSON (Content-Type application/json: a form, which a
    /// page of another site can post, is refused with 415), an object with class or confirm, and reviewer.
    /// </summary>
    private static async Task<(string? Label, string? Reviewer)> ReadReviewAsync(HttpRequest request, CancellationToken cancel)
    {
        if (!request.HasJsonContentType())
            throw new ApiException(415, $"the review must be JSON sent with 'Content-Type: application/json' (got {(string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"'{request.ContentType}'")})");
        if (request.ContentLength is long length && length > MaxReviewBytes)
            throw new ApiException(413, $"review body of {length} bytes is over the limit of {MaxReviewBytes} bytes");
        var buffer = new MemoryStream();
        byte[] chunk = new byte[1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, cancel)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > MaxReviewBytes) throw new ApiException(413, $"review body is over the limit of {MaxReviewBytes} bytes");
        }
        JsonElement body;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(buffer.ToArray());
            body = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ApiException(400, $"the review is not valid JSON ({e.Message}); send {{\"class\": \"NAME\", \"reviewer\": \"NAME\"}} or {{\"confirm\": true}}");
        }
        if (body.ValueKind != JsonValueKind.Object)
            throw new ApiException(400, "the review must be a JSON object: {\"class\": \"NAME\", \"reviewer\": \"NAME\"} or {\"confirm\": true}");
        string? label = null, reviewer = null;
        bool confirm = false;
        foreach (JsonProperty p in body.EnumerateObject())
        {
            switch (p.Name)
            {
                case "class" when p.Value.ValueKind == JsonValueKind.String:
                    label = p.Value.GetString()!;
                    break;
                case "confirm" when p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    confirm = p.Value.GetBoolean();
                    break;
                case "reviewer" when p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                    reviewer = p.Value.GetString();
                    break;
                case "class" or "confirm" or "reviewer":
                    throw new ApiException(400, $"'{p.Name}' has the wrong type ({p.Value.ValueKind.ToString().ToLowerInvariant()}; class and reviewer are strings, confirm is true)");
                default:
                    throw new ApiException(400, $"unknown field '{p.Name}' in the review (expected class, confirm, reviewer)");
            }
        }
        if (label is not null && confirm) throw new ApiException(400, "give either 'class' (a correction) or 'confirm': true, not both");
        if (label is null && !confirm) throw new ApiException(400, "the review names no class: send {\"class\": \"NAME\"} or {\"confirm\": true}");
        if (reviewer is not null) Reviewer(reviewer);   // checked even when a token names the reviewer
        return (label, reviewer);
    }

    /// <summary>The MIME type of a stored image format (as <see cref="StoredCell.ImageFormat"/> names it).</summary>
    public static string ContentType(string format) => format switch
    {
        "jpeg" => "image/jpeg",
        "png" => "image/png",
        "bmp" => "image/bmp",
        "tiff" => "image/tiff",
        _ => "application/octet-stream",
    };

    private static bool PreviewQuery(HttpRequest request) => (string?)request.Query["preview"] switch
    {
        null or "0" or "false" or "no" => false,
        "1" or "true" or "yes" or "" => true,
        string v => throw new ApiException(400, $"query parameter 'preview' must be true or false (got '{v}')"),
    };

    private static string SafeFileName(string name) =>
        new(name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_').ToArray());
}
