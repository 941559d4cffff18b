using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Inference;
using WbcNca.Review;
using WbcNca.Tests.Export;
using WbcNca.Tests.Review;
using Xunit.Abstractions;

namespace WbcNca.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class ReviewsCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly ServerTestFolder folder = new("wbc-nca-reviews-cli-");

    private string dir => folder.Path;

    public void Dispose() => folder.Dispose();

    private string SaveModel() => folder.SaveModel();

    /// <summary>Starts <c>wbc-nca serve</c> as a real process and returns it with the address it printed.</summary>
    private static async Task<(Process Process, string Url, Task<string> Stderr)> StartServe(params string[] args)
    {
        var (process, url, _, stderr) = await ServerTestFolder.StartServe(null, args);
        return (process, url, stderr);
    }

    [Fact]
    public async Task A_server_killed_with_sigkill_during_writes_keeps_every_acknowledged_review_in_a_sound_database()
    {
        string model = SaveModel();
        string db = Path.Combine(dir, "lab", "reviews.db");   // its folder is made on first start
        var (process, url, stderr) = await StartServe("serve", "--model", model, "--urls", "http://127.0.0.1:0", "--db", db, "--samples", "1", "--threads", "1");
        var acknowledged = new ConcurrentBag<(long Id, long Cell, string Label, string Reviewer)>();
        int failed = 0;
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            var form = new MultipartFormDataContent();
            for (int i = 0; i < 4; i++) form.Add(new ByteArrayContent(ReviewDatabaseTests.Png(i)), "images", $"c{i}.png");
            using HttpResponseMessage upload = await client.PostAsync("/api/predict?sample=S1", form);
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
            long[] ids = [.. JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("cell_id").GetInt64())];

            // Six reviewers write as fast as they can; the server is killed while they do.
            using var stop = new CancellationTokenSource();
            Task[] writers = [.. Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                for (int k = 0; !stop.IsCancellationRequested; k++)
                {
                    long cell = ids[k % ids.Length];
                    string label = CellClasses.Fine[(w + k) % 13], reviewer = $"w{w}-{k}";
                    try
                    {
                        using var body = new StringContent($$"""{"class": "{{label}}", "reviewer": "{{reviewer}}"}""", Encoding.UTF8, "application/json");
                        using HttpResponseMessage r = await client.PostAsync($"/api/cells/{cell}/review", body);
                        if (r.StatusCode != HttpStatusCode.OK) { Interlocked.Increment(ref failed); return; }
                        long id = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("review").GetProperty("review_id").GetInt64();
                        acknowledged.Add((id, cell, label, reviewer));
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref failed);   // the server is gone
                        return;
                    }
                }
            }))];
            var deadline = Stopwatch.StartNew();
            while (acknowledged.Count < 150 && deadline.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(10);
            output.WriteLine($"{acknowledged.Count} reviews acknowledged in {deadline.Elapsed.TotalSeconds:0.00} s by 6 writers");
            process.Kill();   // SIGKILL: no shutdown, no flush, no checkpoint
            await process.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            process.Dispose();
        }
        Assert.True(acknowledged.Count >= 150, $"only {acknowledged.Count} reviews were acknowledged before the kill");
        Assert.True(failed > 0, "no write was in flight when the server was killed");
        Assert.Equal("", (await stderr).Trim());

        // Reopened (SQLite recovers from the write-ahead log the killed process left), every acknowledged review is there.
        var reopened = ReviewDatabase.Open(db);
        Assert.Equal("ok", reopened.IntegrityCheck());
        string modelHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model)));
        Assert.All(reopened.Cells("S1"), c => Assert.Equal(new ModelIdentity("m.safetensors", modelHash), c.Model));
        var stored = reopened.Cells("S1").SelectMany(c => reopened.History(c.Id)!).ToDictionary(r => r.Id);
        foreach (var (id, cell, label, reviewer) in acknowledged)
        {
            Assert.True(stored.TryGetValue(id, out CellReview? r), $"acknowledged review {id} ({reviewer}) is lost");
            Assert.Equal((cell, label, reviewer), (r!.CellId, r.Label, r.Reviewer));
        }
        output.WriteLine($"stored after the kill: {stored.Count} reviews; acknowledged: {acknowledged.Count}; requests cut off: {failed}");
        Assert.InRange(stored.Count, acknowledged.Count, acknowledged.Count + 6);   // at most one answer per writer was cut off
    }

    [Fact]
    public void Serve_with_a_database_it_cannot_use_stops_with_one_line_naming_it()
    {
        string model = SaveModel();
        string text = Path.Combine(dir, "notes.db");
        File.WriteAllText(text, new string('x', 200));
        var r = CliProcess.Run("serve", "--model", model, "--urls", "http://127.0.0.1:0", "--db", text, "--threads", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal([$"error: {text}: not a SQLite database (or an encrypted one)"], r.StderrLines);
        Assert.Equal("", r.Stdout);
        Assert.Equal(new string('x', 200), File.ReadAllText(text));
    }

    [Fact]
    public void Reviews_export_writes_a_csv_and_a_folder_per_class_that_adapt_reads()
    {
        string model = SaveModel();
        string db = Path.Combine(dir, "reviews.db");
        var reviews = ReviewDatabase.Open(db);
        var t = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        IReadOnlyList<long> ids = reviews.AddCells("S1", new ModelIdentity("m.safetensors", new string('0', 64)), CellClasses.Fine,
            [.. Enumerable.Range(0, 6).Select(i => ReviewDatabaseTests.Cell($"c{i}.png", i % 2 == 0 ? 0 : 9, AnswerStatus.Ok, i))], t);
        for (int i = 0; i < 4; i++) reviews.AddReview(ids[i], i < 2 ? "eosinophil" : null, "ann", t);   // two corrected, two confirmed
        reviews.AddReview(ids[4], "not_a_cell", "ann", t);
        SqliteConnection.ClearAllPools();

        string output = Path.Combine(dir, "corrected"), csv = Path.Combine(dir, "reviews.csv");
        var r = CliProcess.Run("reviews", "export", "--db", db, "--out", output, "--csv", csv);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal([
            $"wrote 6 cell(s) to {csv}",
            $"wrote 4 reviewed cell(s) to {output} (basophil 1, eosinophil 2, monocyte 1); left out: 1 not a cell, 1 not reviewed",
            $"adapt a model to them: wbc-nca adapt --model M.safetensors --data {output} --out M-adapted.safetensors",
        ], r.StdoutLines);
        Assert.Equal(7, File.ReadAllLines(csv).Length);
        Assert.Equal(["basophil", "eosinophil", "monocyte"], Directory.GetDirectories(output).Select(Path.GetFileName).Order());

        var list = CliProcess.Run("reviews", "list", "--db", db);
        Assert.Equal(0, list.ExitCode);
        Assert.Equal("S1      2025-01-02T03:04:05.000Z       6         5          0", list.StdoutLines[1]);

        string adapted = Path.Combine(dir, "m2.safetensors");
        var adapt = CliProcess.Run("adapt", "--model", model, "--data", output, "--out", adapted, "--steps", "3", "--threads", "1");
        Assert.True(adapt.ExitCode == 0, adapt.Stderr);
        Assert.StartsWith("adapted the head on 4 cell(s) of corrected", adapt.StdoutLines[0]);
        Assert.True(File.Exists(adapted));
    }

    [Fact]
    public void Reviews_audit_writes_the_history_of_the_cells_with_who_and_when_to_a_file_or_standard_output()
    {
        string db = Path.Combine(dir, "reviews.db");
        var reviews = ReviewDatabase.Open(db);
        var t = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        IReadOnlyList<long> ids = reviews.AddCells("S1", new ModelIdentity("m.safetensors", new string('0', 64)), CellClasses.Fine,
            [ReviewDatabaseTests.Cell("c0.png", 9, AnswerStatus.Review, 0), ReviewDatabaseTests.Cell("c1.png", 0, AnswerStatus.Ok, 1)], t);
        reviews.AddReview(ids[0], "eosinophil", "ann", t.AddMinutes(1));
        reviews.AddReview(ids[0], "monocyte", "bob", t.AddMinutes(2));
        SqliteConnection.ClearAllPools();

        string csv = Path.Combine(dir, "audit.csv");
        var r = CliProcess.Run("reviews", "audit", "--db", db, "--csv", csv);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal([$"wrote 4 event(s) to {csv}"], r.StdoutLines);
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(AuditTrail.CsvHeader, lines[0]);
        Assert.Equal([("model", "monocyte", "m.safetensors"), ("correct", "eosinophil", "ann"), ("confirm", "monocyte", "bob"), ("model", "basophil", "m.safetensors")],
            lines[1..].Select(l => l.Split(',')).Select(f => (f[4], f[5], f[6])));

        var one = CliProcess.Run("reviews", "audit", "--db", db, "--cell", ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, one.ExitCode);
        Assert.Equal(lines[..4], one.StdoutLines.Select(l => l.TrimEnd('\r')));
        var missing = CliProcess.Run("reviews", "audit", "--db", db, "--cell", "99", "--csv", Path.Combine(dir, "none.csv"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal([$"error: {db}: no cell 99"], missing.StderrLines);
        Assert.False(File.Exists(Path.Combine(dir, "none.csv")));
    }

    [Fact]
    public void Reviews_export_of_a_missing_database_or_sample_or_without_a_target_is_one_line()
    {
        string absent = Path.Combine(dir, "absent.db");
        var missing = CliProcess.Run("reviews", "export", "--db", absent, "--csv", Path.Combine(dir, "x.csv"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal([$"error: {absent}: no review database here (it is made by 'wbc-nca serve --db PATH')"], missing.StderrLines);
        Assert.False(File.Exists(absent));

        string db = Path.Combine(dir, "reviews.db");
        ReviewDatabase.Open(db);
        SqliteConnection.ClearAllPools();
        var sample = CliProcess.Run("reviews", "export", "--db", db, "--csv", Path.Combine(dir, "x.csv"), "--sample", "nope");
        Assert.Equal(1, sample.ExitCode);
        Assert.Equal([$"error: {db}: no sample 'nope'"], sample.StderrLines);
        Assert.False(File.Exists(Path.Combine(dir, "x.csv")));

        var none = CliProcess.Run("reviews", "export", "--db", db);
        Assert.Equal(2, none.ExitCode);
        Assert.Equal(["error: reviews export: give --out FOLDER, --csv FILE or both; see 'wbc-nca reviews export --help'"], none.StderrLines);
    }
}
