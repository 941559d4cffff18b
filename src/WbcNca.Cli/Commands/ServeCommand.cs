using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using WbcNca.Checkpoints;
using WbcNca.Review;
using WbcNca.Web;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca serve [--model M] [--urls URL] [--db [PATH]]</c>: the lab page and its JSON API on Kestrel; with
/// <c>--db</c> the answered cells and their reviews are kept in a review database. Beyond loopback (or with
/// <c>--require-auth</c>) every API request needs a user's access token (<c>wbc-nca users</c>), unless
/// <c>--insecure-no-auth</c>; <c>https://</c> addresses take the certificate of <c>--cert</c>.
/// </summary>
public static class ServeCommand
{
    /// <summary>Address used when <c>--urls</c> is not given (loopback only).</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The environment variable read for the certificate's password when <c>--cert-password</c> is not given.</summary>
    public const string CertPasswordVariable = "WBC_NCA_CERT_PASSWORD";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var defaults = new WebOptions();
        var model = CommonOptions.Model();
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on, ';'-separated (http://0.0.0.0:PORT serves the network and then needs access tokens; https://HOST:PORT needs --cert)", DefaultValueFactory = _ => DefaultUrls };
        var samples = CommonOptions.Samples();
        var views = CommonOptions.Views();
        var seed = CommonOptions.MaskSeed(defaults.Seed);
        var maxImages = new Option<int>("--max-images") { Description = "Most images per request (their white cells together at most 8 per allowed image: a microscope field holds several)", DefaultValueFactory = _ => defaults.MaxImagesPerRequest };
        var maxUpload = new Option<int>("--max-upload-mb") { Description = "Most MiB per request", DefaultValueFactory = _ => (int)(defaults.MaxUploadBytes / (1024 * 1024)) };
        var maxPixels = new Option<long>("--max-image-pixels") { Description = "Most pixels (width·height) per image", DefaultValueFactory = _ => defaults.MaxImagePixels };
        var queue = new Option<int>("--queue") { Description = "Requests that may wait for the model before the server answers 503", DefaultValueFactory = _ => defaults.QueueCapacity };
        var workers = new Option<int>("--workers") { Description = "Requests computed at the same time (each uses --threads threads)", DefaultValueFactory = _ => defaults.Workers };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass at most (waiting requests are batched)", DefaultValueFactory = _ => defaults.BatchSize };
        var db = new Option<string?>("--db")
        {
            Description = "Keep the answered cells and people's reviews in this SQLite database (created on first start); --db alone: the user's data folder's wbc-nca/reviews.db. Without --db nothing is stored and the page offers no review",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var requireAuth = new Option<bool>("--require-auth") { Description = "Ask every API request for an access token also on loopback (e.g. behind a reverse proxy on this machine); tokens: 'wbc-nca users add'" };
        var insecure = new Option<bool>("--insecure-no-auth") { Description = "Serve beyond loopback without access tokens: anyone who reaches the port may read and change the records" };
        var rateLimit = new Option<int>("--rate-limit") { Description = "Requests to /api/predict and /api/explain per minute per token (per client address without one), at most that many at once; 0: no limit", DefaultValueFactory = _ => AccessOptions.DefaultRateLimit };
        var cert = new Option<string?>("--cert") { Description = "TLS certificate for https:// addresses: a .pfx/.p12 file with its key, or a PEM certificate (its key in the same file or in --cert-key)" };
        var certKey = new Option<string?>("--cert-key") { Description = "The PEM private key of a PEM --cert" };
        var certPassword = new Option<string?>("--cert-password") { Description = "Password of the --cert .pfx file or of an encrypted PEM key (visible to other users in the process list; the environment variable WBC_NCA_CERT_PASSWORD is not)" };
        var normalization = CommonOptions.NormalizationOverride();
        var labAnchors = CommonOptions.LabAnchors();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("serve", "Serve the lab page (drop cell images, see class, probabilities, uncertainty) and the JSON API")
        {
            model, urls, samples, views, seed, maxImages, maxUpload, maxPixels, queue, workers, batch, db,
            requireAuth, insecure, rateLimit, cert, certKey, certPassword, normalization, labAnchors, device, threads,
        };
        command.SetAction(parse =>
        {
            string addresses = parse.GetValue(urls)!;
            string? certPath = parse.GetValue(cert), keyPath = parse.GetValue(certKey);
            IReadOnlyList<string> listen;
            try { listen = ListenAddresses.Parse(addresses, certificate: certPath is not null); }
            catch (FormatException e) { throw new UsageException($"--urls: {e.Message}"); }
            if (certPath is not null && !listen.Any(ListenAddresses.IsHttps))
                throw new UsageException($"--cert is for https:// addresses, and --urls {addresses} has none; give --urls https://HOST:PORT");
            if (keyPath is not null && certPath is null) throw new UsageException("--cert-key needs --cert (the PEM certificate it belongs to)");
            AccessOptions access;
            try { access = new AccessOptions(parse.GetValue(requireAuth), parse.GetValue(insecure), parse.GetValue(rateLimit)).Validate(); }
            catch (WbcNcaException e) { throw new UsageException(e.Message); }
            var dev = CommonOptions.Setup(parse.GetValue(device)!, parse.GetValue(threads));
            var options = new WebOptions(
                MaxImagesPerRequest: parse.GetValue(maxImages),
                MaxUploadBytes: (long)parse.GetValue(maxUpload) * 1024 * 1024,
                MaxImagePixels: parse.GetValue(maxPixels),
                Samples: parse.GetValue(samples) ?? 1,
                Views: parse.GetValue(views),
                MaxSamples: Math.Max(defaults.MaxSamples, parse.GetValue(samples) ?? 1),
                Seed: parse.GetValue(seed),
                QueueCapacity: parse.GetValue(queue),
                Workers: parse.GetValue(workers),
                BatchSize: parse.GetValue(batch)).Validate();
            string modelPath = CommonOptions.ResolveModel(parse.GetValue(model));
            // Before the model loads: a database that cannot be used stops the start in one line.
            string? dbPath = parse.GetResult(db) is { Implicit: false } given ? (given.Tokens.Count > 0 ? parse.GetValue(db)! : ReviewDatabase.DefaultPath()) : null;
            ReviewDatabase? reviews = dbPath is null ? null : ReviewDatabase.Open(dbPath);
            // Who may connect is settled before the model loads too: tokens needed but no user to hold one stops here.
            bool tokens = AccessControl.Create(access, ListenAddresses.BeyondLoopback(listen), reviews).TokensRequired;
            X509Certificate2? certificate = certPath is null ? null
                : ServerCertificate.Load(certPath, keyPath, parse.GetValue(certPassword) ?? Environment.GetEnvironmentVariable(CertPasswordVariable));
            ModelBundle bundle = CommonOptions.WithLabAnchors(ModelFile.Load(modelPath), parse.GetValue(labAnchors));
            if (parse.GetValue(normalization) is string norm) bundle = bundle with { Normalization = CommonOptions.ParseNormalization(norm) };
            var averaging = CommonOptions.Averaging(parse, samples, views, bundle);
            options = options with { Samples = averaging.Samples, Views = averaging.Views, MaxSamples = Math.Max(options.MaxSamples, averaging.Samples) };
            WebApplication app = WbcNcaServer.Create(bundle, options, explainer: bundle.IsNca ? new RelevanceExplainer(bundle, dev) : null, device: dev,
                configure: b =>
                {
                    b.WebHost.UseUrls([.. listen]);
                    if (certificate is not null) ServerCertificate.Use(b, certificate);
                },
                modelName: Path.GetFileName(modelPath),
                records: reviews is null ? null : new ReviewRecords(reviews, ModelIdentity.Of(modelPath)),
                access: access);
            try
            {
                app.Start();
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new WbcNcaException($"--urls {addresses}: {ListenAddresses.StartProblem(e)}");
            }
            // The one line on standard output: where to open the page (ASP.NET Core's own start-up lines are not printed).
            string kept = dbPath is null ? "no records kept" : $"records in {dbPath}";
            string door = tokens ? "access tokens required" : access.InsecureNoAuth ? "no access tokens" : "open to this machine";
            if (access.InsecureNoAuth)
                CliRunner.WriteWarning(Console.Error, $"--insecure-no-auth: anyone who reaches {string.Join(", ", app.Urls)} may classify, read every sample and change every review; give users access tokens instead ('wbc-nca users add')");
            Console.Out.WriteLine($"wbc-nca: serving {modelPath} on {string.Join(", ", app.Urls)} ({kept}; {door}; Ctrl+C to stop)");
            app.WaitForShutdown();
            return 0;
        });
        return command;
    }
}
