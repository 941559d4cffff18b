using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using WbcNca.Checkpoints;
using WbcNca.Review;
using WbcNca.Web;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca serve [--model M] [--urls URL] [--db [PATH]]</c>: the lab page and its JSON API on Kestrel; with
/// <c>--db</c> the answered cells and their reviews are kept in a review database.
/// </summary>
public static class ServeCommand
{
    /// <summary>Address used when <c>--urls</c> is not given (loopback only).</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var defaults = new WebOptions();
        var model = CommonOptions.Model();
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on, ';'-separated (http://0.0.0.0:PORT serves the network)", DefaultValueFactory = _ => DefaultUrls };
        var samples = CommonOptions.Samples(defaults.Samples);
        var seed = CommonOptions.MaskSeed(defaults.Seed);
        var maxImages = new Option<int>("--max-images") { Description = "Most images per request", DefaultValueFactory = _ => defaults.MaxImagesPerRequest };
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
        var normalization = CommonOptions.NormalizationOverride();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("serve", "Serve the lab page (drop cell images, see class, probabilities, uncertainty) and the JSON API")
        {
            model, urls, samples, seed, maxImages, maxUpload, maxPixels, queue, workers, batch, db, normalization, device, threads,
        };
        command.SetAction(parse =>
        {
            string addresses = parse.GetValue(urls)!;
            IReadOnlyList<string> listen;
            try { listen = ListenAddresses.Parse(addresses); }
            catch (FormatException e) { throw new UsageException($"--urls: {e.Message}"); }
            var dev = CommonOptions.Setup(parse.GetValue(device)!, parse.GetValue(threads));
            var options = new WebOptions(
                MaxImagesPerRequest: parse.GetValue(maxImages),
                MaxUploadBytes: (long)parse.GetValue(maxUpload) * 1024 * 1024,
                MaxImagePixels: parse.GetValue(maxPixels),
                Samples: parse.GetValue(samples),
                MaxSamples: Math.Max(defaults.MaxSamples, parse.GetValue(samples)),
                Seed: parse.GetValue(seed),
                QueueCapacity: parse.GetValue(queue),
                Workers: parse.GetValue(workers),
                BatchSize: parse.GetValue(batch)).Validate();
            string modelPath = CommonOptions.ResolveModel(parse.GetValue(model));
            // Before the model loads: a database that cannot be used stops the start in one line.
            string? dbPath = parse.GetResult(db) is { Implicit: false } given ? (given.Tokens.Count > 0 ? parse.GetValue(db)! : ReviewDatabase.DefaultPath()) : null;
            ReviewDatabase? reviews = dbPath is null ? null : ReviewDatabase.Open(dbPath);
            ModelBundle bundle = ModelFile.Load(modelPath);
            if (parse.GetValue(normalization) is string norm) bundle = bundle with { Normalization = CommonOptions.ParseNormalization(norm) };
            WebApplication app = WbcNcaServer.Create(bundle, options, explainer: bundle.IsNca ? new RelevanceExplainer(bundle, dev) : null, device: dev,
                configure: b => b.WebHost.UseUrls([.. listen]), modelName: Path.GetFileName(modelPath),
                records: reviews is null ? null : new ReviewRecords(reviews, ModelIdentity.Of(modelPath)));
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
            Console.Out.WriteLine($"wbc-nca: serving {modelPath} on {string.Join(", ", app.Urls)} ({kept}; Ctrl+C to stop)");
            app.WaitForShutdown();
            return 0;
        });
        return command;
    }
}
