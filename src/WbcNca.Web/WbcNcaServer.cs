using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WbcNca.Checkpoints;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Review;
using static TorchSharp.torch;

namespace WbcNca.Web;

/// <summary>
/// The lab page and its JSON API on ASP.NET Core (Kestrel):
/// <c>GET /</c> the page (HTML, CSS and JS embedded in this assembly), <c>POST /api/predict</c>,
/// <c>POST /api/explain</c>, <c>GET /api/model</c>, <c>GET /api/me</c>, <c>GET /health</c>, and with records (<c>serve
/// --db</c>) the review API of <see cref="ReviewEndpoints"/>. Every <c>/api/…</c> request passes
/// <see cref="AccessControl"/> (cross-site writes refused; tokens and roles), and the inference endpoints
/// <see cref="InferenceRateLimit"/>. Errors are JSON
/// <c>{"error", "status", "file"}</c>; in a request with several images each file gets its own answer (a refused file
/// an entry with status <c>error</c>), and each white cell of a file its own answer in the file's <c>cells</c> (a
/// microscope field holds several; <c>one_cell=true</c> keeps one per file), stored as a cell of its own with records. Model work goes through an <see cref="InferenceQueue"/>. The log is
/// <see cref="OneLineLoggerProvider"/>: warnings and errors as single lines on standard error.
/// </summary>
public static class WbcNcaServer
{
    // Readable text in answers (an apostrophe stays ', not \u0027); the answers are JSON bodies, never embedded in HTML.
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Builds the application (not started).</summary>
    /// <param name="bundle">The model.</param>
    /// <param name="options">Limits, inference mode and queue.</param>
    /// <param name="explainer">The explanation method, or null: <c>/api/explain</c> then answers 501 and the page says so.</param>
    /// <param name="device">Where the model runs (CPU when null).</param>
    /// <param name="configure">Last changes to the builder (addresses, a test server, logging).</param>
    /// <param name="modelName">How <c>GET /api/model</c> names the model (a file name; the server's paths are not shown).</param>
    /// <param name="records">Where answers and reviews are kept, or null: the server then keeps nothing (<c>POST
    /// /api/predict?sample=</c> stores nothing, the review API answers 501 and the page offers no review).</param>
    /// <param name="access">Who may use the server and the inference rate limit (defaults of <see cref="AccessOptions"/>
    /// when null). Whether tokens are required follows the addresses <paramref name="configure"/> gives the server
    /// (<c>UseUrls</c>; the in-memory test server has none and counts as loopback).</param>
    /// <exception cref="WbcNcaException">Tokens are required (the server listens beyond loopback, or
    /// <see cref="AccessOptions.RequireTokens"/>) but <paramref name="records"/> holds no user with a valid token.</exception>
    public static WebApplication Create(ModelBundle bundle, WebOptions options, IExplainer? explainer = null, Device? device = null,
                                        Action<WebApplicationBuilder>? configure = null, string modelName = "model", ReviewRecords? records = null,
                                        AccessOptions? access = null)
    {
        options.Validate();
        access = (access ?? new AccessOptions()).Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new OneLineLoggerProvider(Console.Error));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A start that fails (bad address, busy port) is reported by the caller in one line; the host would log it with a stack trace first.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxUploadBytes);
        var predictor = new Predictor(bundle, device);
        builder.Services.AddSingleton(new InferenceQueue(predictor, options));
        InferenceRateLimit.Add(builder.Services, access.RateLimitPerMinute, Json);
        configure?.Invoke(builder);
        var control = AccessControl.Create(access, ListenAddresses.BeyondLoopback(ConfiguredAddresses(builder)), records?.Database);

        WebApplication app = builder.Build();
        var queue = app.Services.GetRequiredService<InferenceQueue>();
        var preprocessor = bundle.Preprocessor();
        ILogger log = app.Logger;

        app.Use(async (context, next) =>
        {
            var h = context.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
            h["Referrer-Policy"] = "no-referrer";
            try
            {
                await next(context);
            }
            catch (ApiException e)
            {
                await WriteError(context, e.Status, e.Message, e.File);
            }
            catch (ReviewRefusedException e)
            {
                await WriteError(context, e.NotFound ? 404 : 400, e.Message, null);
            }
            catch (ReviewDatabaseException e)
            {
                // The client is told the problem, not the server's path; the log line names the file.
                log.LogError("{Message}", e.Message);
                await WriteError(context, e.Busy ? 503 : 500, $"the review database could not be used: {e.Problem}", null);
            }
            catch (BadHttpRequestException e)
            {
                await WriteError(context, e.StatusCode, e.StatusCode == 413 ? $"request body is over the limit of {options.MaxUploadBytes} bytes" : e.Message, null);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // the client went away
            }
            catch (Exception e)
            {
                log.LogError(e, "request {Path} failed", context.Request.Path);
                await WriteError(context, 500, $"internal error ({e.GetType().Name})", null);
            }
        });
        app.Use((context, next) => control.InvokeAsync(context, next));
        app.UseRateLimiter();

        app.MapGet("/health", () => Results.Json(new Dictionary<string, object> { ["status"] = "ok", ["queue"] = queue.Pending }, Json)).WithMetadata(AccessControl.Public);

        // The model's description (the same object as 'wbc-nca info --json') and what this server adds, made once.
        var model = ModelDescription.Of(bundle, modelName).ToJson();
        model["samples"] = options.Samples;
        model["views"] = options.Views;
        model["explainer"] = explainer?.Name;
        model["reviews"] = records is not null;
        model["limits"] = new JsonObject
        {
            ["max_images_per_request"] = options.MaxImagesPerRequest,
            ["max_cells_per_request"] = options.MaxCellsPerRequest,
            ["max_upload_bytes"] = options.MaxUploadBytes,
            ["max_image_pixels"] = options.MaxImagePixels,
            ["max_samples"] = options.MaxSamples,
        };
        string modelJson = model.ToJsonString(Json);
        app.MapGet("/api/model", () => Results.Text(modelJson, "application/json", System.Text.Encoding.UTF8));

        // Who the request is, for the page: the token's user and role, or none (where no token is required).
        app.MapGet("/api/me", (HttpContext context) =>
        {
            ReviewUser? user = AccessControl.User(context);
            return Results.Json(new Dictionary<string, object?>
            {
                ["user"] = user?.Name,
                ["role"] = ReviewUser.RoleName(user?.Role ?? UserRole.Reviewer),
                ["tokens_required"] = control.TokensRequired,
                ["reviews"] = records is not null,
            }, Json);
        });

        app.MapPost("/api/predict", async (HttpContext context) =>
        {
            PredictOptions predictOptions = ReadPredictOptions(context.Request, options);
            bool preview = BoolQuery(context.Request, "preview");
            bool oneCell = BoolQuery(context.Request, "one_cell");
            string? sample = context.Request.Query["sample"] is { Count: > 0 } given ? ReviewEndpoints.SampleName(given.ToString()) : null;
            if (sample is not null && records is not null) AccessControl.RequireReviewer(context, "storing cells in a sample");
            // Who stores the cells: the token's user, or on a server without tokens the name the page sends.
            string? uploader = sample is not null && records is not null
                ? ReviewEndpoints.Reviewer(context.Request.Query["reviewer"] is { Count: > 0 } claimed ? claimed.ToString() : null, AccessControl.User(context))
                : null;
            List<UploadedImage> uploads = await Upload.ReadAsync(context.Request, options, context.RequestAborted);
            var good = uploads.Where(u => u.Image is not null).ToList();
            // Every white cell of every image (a field holds several, one_cell keeps one per image): located first, so that
            // a request over the cell limit is refused before any cell is framed or stored.
            var located = good.Select(u => preprocessor.LocateCells(u.Image!, oneCell)).ToList();
            int cellCount = located.Sum(l => Math.Max(1, l.Count));
            if (cellCount > options.MaxCellsPerRequest)
                throw new ApiException(413, $"the {good.Count} image(s) of this request hold {cellCount} white cells, more than the limit of {options.MaxCellsPerRequest} cells per request; send fewer images per request");
            var framed = good.Select((u, i) => preprocessor.ProcessCells(u.Image!, located[i])).ToList();
            var inputs = framed.SelectMany(cells => cells.Select(c => c.Input)).ToList();
            IReadOnlyList<Prediction> predictions = inputs.Count == 0 ? [] : await queue.PredictAsync(inputs, predictOptions, context.RequestAborted);
            bool uncertainty = predictOptions.Samples > 1 && (predictOptions.UpdateProbability ?? bundle.Spec.Nca?.UpdateProbability ?? 1.0) < 1;
            // One answer per cell, grouped by image, as 'predict' gives them.
            var perImage = new List<FilePrediction[]>(good.Count);
            int next = 0;
            for (int i = 0; i < good.Count; i++)
            {
                var cells = new FilePrediction[framed[i].Count];
                for (int c = 0; c < cells.Length; c++, next++)
                {
                    CellLocation location = framed[i][c].Location;
                    var (status, reason) = bundle.Decision.Decide(predictions[next], location);
                    cells[c] = new FilePrediction(good[i].Name, predictions[next], null) { Cell = c, CellsInImage = cells.Length, Location = location, Status = status, Reason = reason };
                }
                perImage.Add(cells);
            }
            // With records and a sample, every answered cell is stored (image, answer, where it lies, model) before the answer leaves.
            IReadOnlyList<long>? cellIds = sample is not null && records is not null && good.Count > 0
                ? records.Database.AddCells(sample, records.Model, bundle.Classes,
                    perImage.SelectMany((cells, i) => cells.Select(c => new NewCell(good[i].Name, good[i].Bytes!, c.Prediction!, c.Status, c.Reason, uncertainty)
                    {
                        CellIndex = c.Cell,
                        CellsInImage = c.CellsInImage,
                        Box = CellBox.Nucleus(c.Location),
                        Frame = CellBox.Frame(c.Location),
                        UploadedBy = uploader,
                    })).ToList(), records.Now)
                : null;
            var answers = new List<Dictionary<string, object>>(uploads.Count);
            int image = 0, stored = 0;
            foreach (UploadedImage u in uploads)
            {
                if (u.Image is null)
                {
                    answers.Add(FileError(u));
                    continue;
                }
                FilePrediction[] cells = perImage[image++];
                // The first cell's answer at the top (what a one-cell answer gives), every cell in 'cells'.
                var answer = PredictionJson.CreateImage(cells, uncertainty, u.Name);
                answer["width"] = u.Image.Width;
                answer["height"] = u.Image.Height;
                if (cellIds is not null)
                {
                    answer["cell_id"] = cellIds[stored];
                    var objects = (Dictionary<string, object>[])answer["cells"];
                    for (int c = 0; c < objects.Length; c++)
                        objects[c] = new Dictionary<string, object> { ["cell"] = objects[c]["cell"], ["cell_id"] = cellIds[stored + c] }.Concat(objects[c].Where(kv => kv.Key != "cell")).ToDictionary();
                    stored += objects.Length;
                }
                // A field's preview is larger, so that its cells' boxes can be told apart.
                if (preview) answer["preview"] = PngEncoder.DataUrl(PngEncoder.Preview(u.Image, cells.Length > 1 ? 512 : 256));
                answers.Add(answer);
            }
            if (good.Count == 0)
            {
                // Nothing could be classified: the request fails with the first file's error, each file's answer listed.
                ApiException first = uploads[0].Error!;
                return Results.Json(new Dictionary<string, object>
                {
                    ["error"] = first.Message.ReplaceLineEndings(" "),
                    ["status"] = first.Status,
                    ["file"] = uploads[0].Name,
                    ["predictions"] = answers,
                }, Json, statusCode: first.Status);
            }
            var body = new Dictionary<string, object>
            {
                ["samples"] = predictOptions.Samples,
                ["views"] = predictOptions.Views,
                ["seed"] = predictOptions.Seed,
                ["classes"] = bundle.Classes,
            };
            if (sample is not null)
            {
                body["sample"] = sample;
                body["stored"] = cellIds is not null;
            }
            body["predictions"] = answers;
            return Results.Json(body, Json);
        }).RequireRateLimiting(InferenceRateLimit.Policy);

        app.MapPost("/api/explain", async (HttpContext context) =>
        {
            if (explainer is null)
                throw new ApiException(501, bundle.IsNca ? "explanations are not available on this server (it was started without an explainer)" : $"explanations are available for NCA models only; this server runs a {bundle.Spec.Arch} model");
            int top = IntQuery(context.Request, "top", 8, 1, bundle.Config.Channels);
            long seed = LongQuery(context.Request, "seed", options.Seed);
            int? target = ClassQuery(context.Request, bundle.Classes);
            int cell = IntQuery(context.Request, "cell", 0, 0, int.MaxValue);
            bool oneCell = BoolQuery(context.Request, "one_cell");
            List<UploadedImage> uploads = await Upload.ReadAsync(context.Request, options with { MaxImagesPerRequest = 1 }, context.RequestAborted);
            UploadedImage u = uploads[0];
            Rgb8Image image = u.Decoded;
            int s = bundle.Config.ImageSize;
            // The cell the model sees, framed as /api/predict frames it (the upload itself when not framed).
            var cells = preprocessor.CellViews(image, oneCell);
            if (cell >= cells.Count)
                throw new ApiException(400, $"query parameter 'cell' is {cell}, but " + (oneCell ? $"with one_cell=true {u.Name} is answered as one cell (cell 0)"
                    : cells.Count == 1 ? $"{u.Name} holds one white cell (cell 0)" : $"{u.Name} holds {cells.Count} white cells (cell 0 to {cells.Count - 1})"), u.Name);
            var framed = cells[cell];
            Rgb8Image sized = framed.View.Width == s && framed.View.Height == s ? framed.View : Resampler.ResizeBicubic(framed.View, s, s);
            ExplainResponse e = await queue.RunAsync(() => explainer.Explain(new ExplainRequest(bundle, sized, target, top, seed) { Original = image, Cell = cell, OneCell = oneCell }));
            double positive = e.Channels.Sum(c => Math.Max(c.Relevance, 0));
            CellBox? box = CellBox.Nucleus(framed.Location), frame = CellBox.Frame(framed.Location);
            return Results.Json(new Dictionary<string, object?>
            {
                ["path"] = u.Name,
                ["cell"] = cell,
                ["cells_in_image"] = cells.Count,
                ["box"] = box?.ToJsonObject(),
                ["frame"] = frame is null ? null : new Dictionary<string, object> { ["x"] = frame.X, ["y"] = frame.Y, ["side"] = frame.Width },
                ["explainer"] = explainer.Name,
                ["class"] = bundle.Classes[e.ClassIndex],
                ["index"] = e.ClassIndex,
                ["channels"] = e.Channels.Select(c => new Dictionary<string, object?>
                {
                    ["channel"] = c.Channel,
                    ["relevance"] = c.Relevance,
                    ["share"] = c.Relevance > 0 && positive > 0 ? c.Relevance / positive : null,
                    ["on_cell"] = Finite(c.OnCell),
                    ["map_png"] = Convert.ToBase64String(c.MapPng),
                }).ToList(),
                ["overlay_png"] = Convert.ToBase64String(e.OverlayPng),
                ["input_png"] = Convert.ToBase64String(PngEncoder.Encode(sized)),
                ["input"] = cells.Count > 1 ? $"cell {cell + 1} of the {cells.Count} in the image, framed and shrunk to {s}×{s} pixels"
                    : ReferenceEquals(framed.View, image) ? $"the whole image, shrunk to {s}×{s} pixels"
                    : $"the cell, framed and shrunk to {s}×{s} pixels",
                ["focus"] = new Dictionary<string, object?>
                {
                    ["score"] = Finite(e.FocusScore),
                    ["cell_area"] = Finite(e.CellArea),
                    ["maxima_on_cell"] = Finite(e.PooledOnCell),
                    ["sentence"] = Explainability.FocusScore.Describe(e.FocusScore, e.PooledOnCell, e.CellArea),
                },
            }, Json);
        }).RequireRateLimiting(InferenceRateLimit.Policy);

        ReviewEndpoints.Map(app, records, Json, options.MaxImagePixels);

        app.MapGet("/{**path}", (HttpContext context) =>
        {
            string path = context.Request.Path.Value ?? "/";
            if (path is "/api/predict" or "/api/explain") throw new ApiException(405, $"{path} takes POST (multipart form with the images)");
            if (path.StartsWith("/api/cells/", StringComparison.Ordinal) && path.EndsWith("/review", StringComparison.Ordinal))
                throw new ApiException(405, $"{path} takes POST (JSON {{\"class\": \"NAME\", \"reviewer\": \"NAME\"}} or {{\"confirm\": true}})");
            if (!StaticAssets.TryGet(path, out string type, out byte[] content))
                throw new ApiException(404, $"no such page: {path}");
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Bytes(content, type);
        }).WithMetadata(AccessControl.Public);   // the page and its files (and 404/405 in words for other paths)

        app.MapFallback(() => { throw new ApiException(405, "method not allowed here (see GET /api/model, POST /api/predict, POST /api/explain, POST /api/cells/{id}/review, GET /health)"); });
        return app;
    }

    /// <summary>The addresses the builder was given (UseUrls, ASPNETCORE_URLS, or HTTP_PORTS/HTTPS_PORTS, which listen on every interface).</summary>
    private static IEnumerable<string> ConfiguredAddresses(WebApplicationBuilder builder)
    {
        string? urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey);
        if (!string.IsNullOrWhiteSpace(urls)) return urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new[] { WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey }
            .Select(k => builder.WebHost.GetSetting(k))
            .Where(p => !string.IsNullOrWhiteSpace(p))
            .SelectMany(p => p!.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(port => $"http://*:{port}");
    }

    private static Dictionary<string, object> FileError(UploadedImage u) => new()
    {
        ["path"] = u.Name,
        ["status"] = "error",
        ["error"] = u.Error!.Message.ReplaceLineEndings(" "),
        ["http_status"] = u.Error.Status,
    };

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static bool BoolQuery(HttpRequest request, string name, bool fallback = false)
    {
        string? v = request.Query[name];
        return v switch
        {
            null => fallback,
            "1" or "true" or "yes" or "" => true,
            "0" or "false" or "no" => false,
            _ => throw new ApiException(400, $"query parameter '{name}' must be true or false (got '{v}')"),
        };
    }

    private static PredictOptions ReadPredictOptions(HttpRequest request, WebOptions options) =>
        new(Samples: IntQuery(request, "samples", options.Samples, 1, options.MaxSamples), Seed: LongQuery(request, "seed", options.Seed), BatchSize: options.BatchSize,
            Views: BoolQuery(request, "views", options.Views));

    internal static int IntQuery(HttpRequest request, string name, int fallback, int min, int max)
    {
        string? v = request.Query[name];
        if (v is null) return fallback;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw new ApiException(400, $"query parameter '{name}' must be an integer in {min}..{max} (got '{v}')");
        return n;
    }

    private static long LongQuery(HttpRequest request, string name, long fallback)
    {
        string? v = request.Query[name];
        if (v is null) return fallback;
        if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n))
            throw new ApiException(400, $"query parameter '{name}' must be an integer (got '{v}')");
        return n;
    }

    private static int? ClassQuery(HttpRequest request, IReadOnlyList<string> classes)
    {
        string? v = request.Query["class"];
        if (v is null) return null;
        if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= 0 && i < classes.Count) return i;
        int byName = classes.ToList().FindIndex(c => string.Equals(c, v, StringComparison.OrdinalIgnoreCase));
        if (byName >= 0) return byName;
        throw new ApiException(400, $"query parameter 'class' must be a class index 0..{classes.Count - 1} or name (got '{v}')");
    }

    private static Task WriteError(HttpContext context, int status, string message, string? file)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (status == 503) context.Response.Headers.RetryAfter = "1";
        if (status == 401) context.Response.Headers.WWWAuthenticate = "Bearer realm=\"wbc-nca\"";
        var body = new Dictionary<string, object?> { ["error"] = message.ReplaceLineEndings(" "), ["status"] = status };
        if (file is not null) body["file"] = file;
        return context.Response.WriteAsJsonAsync(body, Json);
    }
}
