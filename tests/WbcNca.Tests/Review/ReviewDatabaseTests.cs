using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using WbcNca.Data;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Review;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Review;

public sealed class ReviewDatabaseTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly ModelIdentity Model = new("m.safetensors", new string('a', 64));
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-reviews-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    private string DbPath => Path.Combine(dir, "reviews.db");

    internal static byte[] Png(int seed)
    {
        var rng = new Random(seed);
        var px = new byte[12 * 12 * 3];
        rng.NextBytes(px);
        return TestImages.Png(new Rgb8Image(12, 12, px));
    }

    /// <summary>A cell the model answered <paramref name="index"/> with <paramref name="p"/>, others sharing the rest.</summary>
    internal static NewCell Cell(string file, int index, AnswerStatus status, int seed, float p = 0.6f)
    {
        var probs = Enumerable.Repeat((1 - p) / 12, 13).ToArray();
        probs[index] = p;
        var prediction = new Prediction(index, CellClasses.Fine, probs, new float[13], new float[13]);
        string reason = status switch { AnswerStatus.Review => "confidence 0.60 is below 0.80", AnswerStatus.NotACell => "no stained nucleus found", _ => "" };
        return new NewCell(file, Png(seed), prediction, status, reason, WithUncertainty: false);
    }

    private static long Count(string path, string table)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public void A_sample_list_is_filtered_by_name_ordered_and_paged_with_the_total_of_its_matches()
    {
        var db = ReviewDatabase.Open(Path.Combine(dir, "reviews.db"));
        string[] names = ["Smear 1", "smear 2", "Marrow A", "SMEAR 3", "Marrow B"];
        for (int i = 0; i < names.Length; i++)
            db.AddCells(names[i], Model, CellClasses.Fine, [Cell($"{i}.png", 1, i % 2 == 0 ? AnswerStatus.Review : AnswerStatus.Ok, i)], T0.AddMinutes(i));

        SamplePage all = db.Samples(SampleQuery.All);
        Assert.Equal(names, all.Samples.Select(s => s.Name));
        Assert.Equal(5, all.Total);
        SamplePage newest = db.Samples(new SampleQuery(NewestFirst: true, Limit: 2));
        Assert.Equal(["Marrow B", "SMEAR 3"], newest.Samples.Select(s => s.Name));
        Assert.Equal(5, newest.Total);
        SamplePage smears = db.Samples(new SampleQuery("smear", NewestFirst: true, Offset: 1, Limit: 5));
        Assert.Equal(["smear 2", "Smear 1"], smears.Samples.Select(s => s.Name));
        Assert.Equal(3, smears.Total);
        Assert.Equal((1, 0, 1), (smears.Samples[1].Cells, smears.Samples[1].Reviewed, smears.Samples[1].ToReview));
        Assert.Empty(db.Samples(new SampleQuery("%", Limit: 5)).Samples);   // no wildcard: a literal part of a name
        Assert.Empty(db.Samples(new SampleQuery(Offset: 5)).Samples);
        Assert.Throws<ArgumentException>(() => db.Samples(new SampleQuery(Limit: 0)));
        Assert.Throws<ArgumentException>(() => db.Samples(new SampleQuery(Offset: -1)));
    }

    [Fact]
    public void A_new_database_and_its_folder_are_created_in_wal_mode_at_the_latest_schema_version()
    {
        string path = Path.Combine(dir, "lab", "sub", "reviews.db");
        var db = ReviewDatabase.Open(path);
        Assert.True(File.Exists(path));
        Assert.Equal(5, db.SchemaVersion);
        Assert.Equal(SchemaMigrations.All.Count, db.SchemaVersion);
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
        cmd.CommandText = "PRAGMA application_id";
        Assert.Equal(0x57424352L, cmd.ExecuteScalar());
        Assert.Equal("ok", db.IntegrityCheck());
    }

    [Fact]
    public void Stored_cells_keep_the_model_answer_and_reviews_are_appended_with_who_and_when()
    {
        var db = ReviewDatabase.Open(DbPath);
        NewCell cell = Cell("a.png", 1, AnswerStatus.Review, 1);
        IReadOnlyList<long> ids = db.AddCells("S1", Model, CellClasses.Fine, [cell, Cell("b.png", 9, AnswerStatus.Ok, 2)], T0);
        Assert.Equal(2, ids.Count);

        StoredCell stored = db.Cell(ids[0])!;
        Assert.Equal(("S1", "a.png", "eosinophil", 1, "review"), (stored.Sample, stored.FileName, stored.Class, stored.ClassIndex, stored.Status));
        Assert.Equal(0.6, stored.Confidence, 6);
        Assert.Equal(Model, stored.Model);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(cell.Image)), stored.ImageSha256);
        Assert.Equal(cell.Image, db.Image(stored.ImageSha256));
        Assert.Equal("png", stored.ImageFormat);
        Assert.Null(stored.Label);
        Assert.Equal("review", stored.CountedAs);

        CellReview first = db.AddReview(ids[0], "Monocyte", "ann", T0.AddMinutes(1));
        CellReview second = db.AddReview(ids[0], "lymphocyte typical", "bob", T0.AddMinutes(2));
        CellReview third = db.AddReview(ids[0], null, "cy", T0.AddMinutes(3));   // confirms the model's answer
        Assert.Equal(("monocyte", "correct", "ann"), (first.Label, first.Action, first.Reviewer));
        Assert.Equal(("lymphocyte_typical", "correct"), (second.Label, second.Action));
        Assert.Equal(("eosinophil", "confirm"), (third.Label, third.Action));

        stored = db.Cell(ids[0])!;
        Assert.Equal("eosinophil", stored.Label);                 // the latest review
        Assert.Equal(("eosinophil", 1, "review"), (stored.Class, stored.ClassIndex, stored.Status));   // the model's answer as it was
        Assert.Equal(3, stored.Reviews);
        IReadOnlyList<CellReview> history = db.History(ids[0])!;
        Assert.Equal(["ann", "bob", "cy"], history.Select(h => h.Reviewer));
        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(3)], history.Select(h => h.Time));
        Assert.Equal(["monocyte", "lymphocyte_typical", "eosinophil"], history.Select(h => h.Label));
        Assert.Empty(db.History(ids[1])!);
        Assert.Null(db.History(999));

        // The database itself refuses to change a model answer or a review.
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        foreach (string sql in new[] { "UPDATE cells SET class = 'basophil'", "UPDATE reviews SET label = 'basophil'", "DELETE FROM reviews" })
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            var e = Assert.Throws<SqliteException>(() => cmd.ExecuteNonQuery());
            Assert.Contains("never", e.Message);
        }
        Assert.Equal(3, db.History(ids[0])!.Count);
    }

    [Fact]
    public void A_review_of_an_unknown_cell_or_with_an_unknown_class_is_refused_and_writes_nothing()
    {
        var db = ReviewDatabase.Open(DbPath);
        long id = db.AddCells("S1", Model, CellClasses.Fine, [Cell("a.png", 0, AnswerStatus.Ok, 1)], T0)[0];
        var missing = Assert.Throws<ReviewRefusedException>(() => db.AddReview(id + 1, "basophil", "ann", T0));
        Assert.True(missing.NotFound);
        Assert.Equal($"no cell {id + 1}", missing.Message);
        var unknown = Assert.Throws<ReviewRefusedException>(() => db.AddReview(id, "platelet", "ann", T0));
        Assert.False(unknown.NotFound);
        Assert.StartsWith($"unknown class 'platelet' for cell {id} (expected one of: basophil, eosinophil,", unknown.Message);
        Assert.EndsWith("smudge_cell, not_a_cell)", unknown.Message);
        Assert.Equal(0, Count(DbPath, "reviews"));
        Assert.True(Assert.Throws<ReviewRefusedException>(() => db.Cells("nope")).NotFound);
    }

    [Fact]
    public void The_differential_count_follows_the_reviews()
    {
        var db = ReviewDatabase.Open(DbPath);
        var ids = db.AddCells("S1", Model, CellClasses.Fine,
        [
            Cell("ok-baso.png", 0, AnswerStatus.Ok, 1),
            Cell("ok-baso2.png", 0, AnswerStatus.Ok, 2),
            Cell("review-eos.png", 1, AnswerStatus.Review, 3),
            Cell("debris.png", 12, AnswerStatus.NotACell, 4),
        ], T0);
        db.AddCells("S2", Model, CellClasses.Fine, [Cell("other.png", 9, AnswerStatus.Ok, 5)], T0);

        DifferentialCount before = ReviewedCount.Of("S1", db.Cells("S1"));
        Assert.Equal(2, before.Counts[0]);
        Assert.Equal(2, before.Answered);
        Assert.Equal((1, 1), (before.Review, before.NotACell));

        db.AddReview(ids[2], "monocyte", "ann", T0);       // the review cell placed
        db.AddReview(ids[1], "not a cell", "ann", T0);     // a basophil that is debris
        db.AddReview(ids[3], "lymphocyte_typical", "ann", T0);   // a cell the locator missed
        DifferentialCount after = ReviewedCount.Of("S1", db.Cells("S1"));
        Assert.Equal(1, after.Counts[0]);
        Assert.Equal(1, after.Counts[CellClasses.IndexOf("monocyte", LabelLevel.Fine)]);
        Assert.Equal(1, after.Counts[CellClasses.IndexOf("lymphocyte_typical", LabelLevel.Fine)]);
        Assert.Equal(3, after.Answered);
        Assert.Equal((0, 1), (after.Review, after.NotACell));
        Assert.Equal(100.0 / 3, after.Percent(0), 9);

        var samples = db.Samples();
        Assert.Equal(["S1", "S2"], samples.Select(s => s.Name));
        Assert.Equal((4, 3, 0), (samples[0].Cells, samples[0].Reviewed, samples[0].ToReview));
        Assert.Equal((1, 0, 0), (samples[1].Cells, samples[1].Reviewed, samples[1].ToReview));
    }

    [Fact]
    public void A_database_of_an_older_schema_version_is_migrated_and_keeps_its_records()
    {
        // A database as version 1 made it: the first step of the list, and rows written with version 1's tables.
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = SchemaMigrations.All[0].Sql + """
                PRAGMA user_version = 1;
                INSERT INTO models (file_name, sha256, classes) VALUES ('old.safetensors', 'bb', '["basophil","eosinophil"]');
                INSERT INTO samples (name, created_at) VALUES ('old sample', '2024-12-01T08:00:00.000Z');
                INSERT INTO images (sha256, format, bytes) VALUES ('cc', 'png', x'89504E47');
                INSERT INTO cells (sample_id, model_id, image_sha256, file_name, class, class_index, confidence, probabilities, probability_std, status, reason, created_at)
                    VALUES (1, 1, 'cc', 'x.png', 'basophil', 0, 0.55, '[0.55,0.45]', NULL, 'review', 'low', '2024-12-01T08:00:00.000Z');
                INSERT INTO reviews (cell_id, label, action, reviewer, created_at) VALUES (1, 'eosinophil', 'correct', 'ann', '2024-12-01T08:05:00.000Z');
                INSERT INTO reviews (cell_id, label, action, reviewer, created_at) VALUES (1, 'basophil', 'confirm', 'bob', '2024-12-01T08:06:00.000Z');
                """;
            cmd.ExecuteNonQuery();
        }

        var db = ReviewDatabase.Open(DbPath);
        Assert.Equal(SchemaMigrations.Latest, db.SchemaVersion);
        StoredCell cell = db.Cell(1)!;   // read through version 2's view of the current labels
        Assert.Equal(("old sample", "basophil", "review", "basophil", "bob", 2), (cell.Sample, cell.Class, cell.Status, cell.Label, cell.Latest!.Reviewer, cell.Reviews));
        Assert.Equal(["ann", "bob"], db.History(1)!.Select(h => h.Reviewer));
        Assert.Equal(new DateTimeOffset(2024, 12, 1, 8, 5, 0, TimeSpan.Zero), db.History(1)![0].Time);
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('cells_by_sample', 'reviews_by_cell', 'cell_labels', 'users')";
            Assert.Equal(4L, cmd.ExecuteScalar());
        }
        Assert.Empty(db.Users());   // version 3's users table, empty: the old server had no tokens
        // New records go on from the old ones.
        long id = db.AddCells("old sample", new ModelIdentity("old.safetensors", "bb"), ["basophil", "eosinophil"], [Cell("y.png", 0, AnswerStatus.Ok, 9)], T0)[0];
        Assert.Equal(2, id);
        Assert.Equal(1, Count(DbPath, "models"));
        Assert.Equal(2, db.Cells("old sample").Count);
        Assert.Equal(SchemaMigrations.Latest, ReviewDatabase.Open(DbPath).SchemaVersion);   // opening again changes nothing
    }

    [Fact]
    public void A_database_of_version_3_is_migrated_to_keep_where_each_cell_lies_and_its_old_cells_stay_without_a_place()
    {
        // A database as version 3 made it: the first three steps, a cell, its review and a user.
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = string.Concat(SchemaMigrations.All.Take(3).Select(m => m.Sql)) + """
                PRAGMA user_version = 3;
                INSERT INTO models (file_name, sha256, classes) VALUES ('m.safetensors', 'aa', '["basophil","eosinophil"]');
                INSERT INTO samples (name, created_at) VALUES ('before fields', '2025-01-01T08:00:00.000Z');
                INSERT INTO images (sha256, format, bytes) VALUES ('cc', 'png', x'89504E47');
                INSERT INTO cells (sample_id, model_id, image_sha256, file_name, class, class_index, confidence, probabilities, probability_std, status, reason, created_at)
                    VALUES (1, 1, 'cc', 'one.png', 'eosinophil', 1, 0.9, '[0.1,0.9]', NULL, 'ok', '', '2025-01-01T08:00:00.000Z');
                INSERT INTO reviews (cell_id, label, action, reviewer, created_at) VALUES (1, 'eosinophil', 'confirm', 'ann', '2025-01-01T08:05:00.000Z');
                INSERT INTO users (name, role, token_sha256, created_at) VALUES ('ann', 'reviewer', 'dd', '2025-01-01T07:00:00.000Z');
                """;
            cmd.ExecuteNonQuery();
        }

        var db = ReviewDatabase.Open(DbPath);
        Assert.Equal(SchemaMigrations.Latest, db.SchemaVersion);
        StoredCell old = db.Cell(1)!;
        Assert.Equal(("before fields", "one.png", "eosinophil", "eosinophil", "ann"), (old.Sample, old.FileName, old.Class, old.Label, old.Latest!.Reviewer));
        Assert.Equal((null, null, null, null, false, null), (old.CellIndex, old.CellsInImage, old.Box, old.Frame, old.InField, old.UploadedBy));
        Assert.Null(old.ToJsonObject()["uploaded_by"]);   // who stored a cell before step 5 is not known
        Assert.False(old.ToJsonObject().ContainsKey("box"));
        Assert.Equal(["ann"], db.Users().Select(u => u.Name));

        // Cells stored now keep their index, their image's cell count, their box and their frame; a cell without a nucleus keeps no box.
        var field = new[]
        {
            Cell("field.png", 1, AnswerStatus.Ok, 7) with { CellIndex = 0, CellsInImage = 2, Box = new CellBox(10, 12, 30, 28), Frame = new CellBox(-5, -4, 60, 60) },
            Cell("field.png", 0, AnswerStatus.Review, 7) with { CellIndex = 1, CellsInImage = 2, Box = new CellBox(80, 40, 25, 26), Frame = new CellBox(62, 23, 60, 60) },
            Cell("blank.png", 0, AnswerStatus.NotACell, 8),
        };
        IReadOnlyList<long> ids = db.AddCells("before fields", new ModelIdentity("m.safetensors", "aa"), ["basophil", "eosinophil"], field, T0);
        Assert.Equal([2L, 3L, 4L], ids);
        StoredCell second = db.Cell(3)!;
        Assert.Equal((1, 2, new CellBox(80, 40, 25, 26), new CellBox(62, 23, 60, 60), true), (second.CellIndex, second.CellsInImage, second.Box, second.Frame, second.InField));
        Assert.Equal(db.Cell(2)!.ImageSha256, second.ImageSha256);   // one image for the field's two cells
        Assert.Equal(3L, Count(DbPath, "images"));                  // the old image, the field's (once for its two cells) and the blank one
        StoredCell blank = db.Cell(4)!;
        Assert.Equal((0, 1, null, null), (blank.CellIndex, blank.CellsInImage, blank.Box, blank.Frame));
        var json = second.ToJsonObject();
        Assert.Equal((1, 2), ((int)json["cell"]!, (int)json["cells_in_image"]!));
        var box = (Dictionary<string, object>)json["box"]!;
        Assert.Equal((80, 40, 25, 26), ((int)box["x"], (int)box["y"], (int)box["width"], (int)box["height"]));
        var frame = (Dictionary<string, object>)json["frame"]!;
        Assert.Equal((62, 23, 60), ((int)frame["x"], (int)frame["y"], (int)frame["side"]));
        Assert.Equal(4, db.Cells("before fields").Count);
        Assert.Equal(5, ReviewDatabase.Open(DbPath).SchemaVersion);   // opening again changes nothing
    }

    [Fact]
    public void A_file_that_is_not_a_review_database_is_refused_in_one_line_naming_it_and_left_as_it_was()
    {
        string text = Path.Combine(dir, "notes.db");
        File.WriteAllText(text, "not a database at all, just some text that is long enough to fill a header of one hundred bytes...");
        byte[] before = File.ReadAllBytes(text);
        var e = Assert.Throws<ReviewDatabaseException>(() => ReviewDatabase.Open(text));
        Assert.Equal($"{text}: not a SQLite database (or an encrypted one)", e.Message);
        Assert.Equal(before, File.ReadAllBytes(text));

        string other = Path.Combine(dir, "other.db");
        using (var c = new SqliteConnection($"Data Source={other};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE orders (id INTEGER PRIMARY KEY)";
            cmd.ExecuteNonQuery();
        }
        Assert.Equal($"{other}: is another program's SQLite database, not a wbc-nca review database",
            Assert.Throws<WbcNcaException>(() => ReviewDatabase.Open(other)).Message);

        ReviewDatabase.Open(DbPath);
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 7";
            cmd.ExecuteNonQuery();
        }
        Assert.Equal($"{DbPath}: was made by a newer wbc-nca (schema version 7; this one knows versions up to 5); update wbc-nca",
            Assert.Throws<WbcNcaException>(() => ReviewDatabase.Open(DbPath)).Message);

        Assert.Equal($"{dir}: is a folder, not a database file", Assert.Throws<WbcNcaException>(() => ReviewDatabase.Open(dir)).Message);
        string absent = Path.Combine(dir, "absent.db");
        Assert.StartsWith($"{absent}: no review database here", Assert.Throws<WbcNcaException>(() => ReviewDatabase.Open(absent, create: false)).Message);
        Assert.False(File.Exists(absent));
    }

    [Fact]
    public async Task Parallel_writers_on_their_own_connections_lose_no_cell_and_no_review()
    {
        var setup = ReviewDatabase.Open(DbPath);
        IReadOnlyList<long> shared = setup.AddCells("shared", Model, CellClasses.Fine, [.. Enumerable.Range(0, 4).Select(i => Cell($"s{i}.png", i, AnswerStatus.Review, 100 + i))], T0);
        const int writers = 8, reviewsEach = 30, cellsEach = 5;
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<CellReview>();
        var cellIds = new System.Collections.Concurrent.ConcurrentBag<long>();
        using var start = new Barrier(writers);
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Factory.StartNew(() =>
        {
            var db = ReviewDatabase.Open(DbPath);   // each writer its own handle and connections
            start.SignalAndWait();
            for (int k = 0; k < reviewsEach; k++)
            {
                if (k % (reviewsEach / cellsEach) == 0)
                    foreach (long id in db.AddCells($"w{w}", Model, CellClasses.Fine, [Cell($"w{w}-{k}.png", k % 13, AnswerStatus.Ok, 1000 * w + k)], T0)) cellIds.Add(id);
                acknowledged.Add(db.AddReview(shared[k % shared.Count], CellClasses.Fine[(w + k) % 13], $"w{w}", T0.AddSeconds(k)));
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(tasks);

        Assert.Equal(writers * reviewsEach, acknowledged.Count);
        Assert.Equal(writers * reviewsEach, acknowledged.Select(r => r.Id).Distinct().Count());
        var stored = shared.SelectMany(id => setup.History(id)!).ToDictionary(r => r.Id);
        Assert.Equal(writers * reviewsEach, stored.Count);
        foreach (CellReview r in acknowledged) Assert.Equal(r, stored[r.Id]);
        Assert.Equal(writers * cellsEach, cellIds.Distinct().Count());
        for (int w = 0; w < writers; w++) Assert.Equal(cellsEach, setup.Cells($"w{w}").Count);
        Assert.Equal(1, Count(DbPath, "models"));
        Assert.Equal("ok", setup.IntegrityCheck());
    }
}
