using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WbcNca.Imaging;
using WbcNca.Inference;

namespace WbcNca.Review;

/// <summary>
/// The review records of a lab: an embedded SQLite database (one file, in WAL mode) holding each answered cell with its
/// image, its sample, the model's answer and the model's identity, and the reviews people add to it. The model's answer
/// is never changed and reviews are only appended (triggers refuse anything else), so a cell's current label is its
/// latest review and its reviews are its audit history. Every write is one transaction, committed with
/// <c>synchronous=FULL</c> before the call returns, so what a call reported stored survives the process being killed.
/// Safe for concurrent use by several threads and processes (each call has its own connection; writers take the
/// database's write lock at the start of their transaction and wait up to 30 s for it).
/// </summary>
public sealed class ReviewDatabase
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const int BusySeconds = 30;
    private readonly string connectionString;

    private ReviewDatabase(string path, string connectionString)
    {
        Path = path;
        this.connectionString = connectionString;
    }

    /// <summary>The database file as it was given.</summary>
    public string Path { get; }

    /// <summary>
    /// Where <c>serve --db</c> keeps its records when no path is given: <c>wbc-nca/reviews.db</c> in the user's data
    /// folder (<c>~/.local/share</c> on Linux, <c>%LOCALAPPDATA%</c> on Windows).
    /// </summary>
    /// <exception cref="WbcNcaException">The user has no data folder (no home folder is set).</exception>
    public static string DefaultPath()
    {
        string data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(data)) throw new WbcNcaException("--db: this user has no data folder (HOME is not set); give the database's path, --db PATH");
        return System.IO.Path.Combine(data, "wbc-nca", "reviews.db");
    }

    /// <summary>
    /// Opens the database at <paramref name="path"/>, creating it (and its folder) when <paramref name="create"/> and it is
    /// not there, and brings its schema up to <see cref="SchemaMigrations.Latest"/>.
    /// </summary>
    /// <exception cref="WbcNcaException">One line naming the file: missing (without <paramref name="create"/>), a folder,
    /// not a SQLite file, another program's database, made by a newer wbc-nca, unreadable or not writable.</exception>
    public static ReviewDatabase Open(string path, bool create = true)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw WbcNcaException.ForFile(path, "is a folder, not a database file");
        if (!File.Exists(full))
        {
            if (!create) throw WbcNcaException.ForFile(path, "no review database here (it is made by 'wbc-nca serve --db PATH')");
            string folder = System.IO.Path.GetDirectoryName(full)!;
            try { Directory.CreateDirectory(folder); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw WbcNcaException.ForFile(path, $"cannot create the folder {folder}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
        string cs = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = BusySeconds,
            ForeignKeys = true,
        }.ToString();
        var db = new ReviewDatabase(path, cs);
        db.Run(db.Migrate);
        return db;
    }

    /// <summary>The schema version of the open database (PRAGMA user_version).</summary>
    public int SchemaVersion => Run(c => Convert.ToInt32(Scalar(c, "PRAGMA user_version"), CultureInfo.InvariantCulture));

    /// <summary>Time as stored and as the API gives it: ISO 8601 in UTC with milliseconds.</summary>
    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Stores the cells of one upload under <paramref name="sample"/> (created when new), with their images and the
    /// model's answers, in one transaction; returns their ids in order. The cells of a field share their image (stored
    /// once) and keep their index, box and frame in it.
    /// </summary>
    /// <param name="sample">The sample's name.</param>
    /// <param name="model">Which model answered.</param>
    /// <param name="classes">That model's classes, in its order.</param>
    /// <param name="cells">The cells.</param>
    /// <param name="time">When (stored in UTC).</param>
    public IReadOnlyList<long> AddCells(string sample, ModelIdentity model, IReadOnlyList<string> classes, IReadOnlyList<NewCell> cells, DateTimeOffset time)
    {
        string now = FormatTime(time);
        return Run(c =>
        {
            using SqliteTransaction tx = c.BeginTransaction(deferred: false);
            long modelId = (long?)Scalar(c, "SELECT id FROM models WHERE file_name = $f AND sha256 = $h", ("$f", model.FileName), ("$h", model.Sha256))
                ?? (long)Scalar(c, "INSERT INTO models (file_name, sha256, classes) VALUES ($f, $h, $c) RETURNING id",
                    ("$f", model.FileName), ("$h", model.Sha256), ("$c", JsonSerializer.Serialize(classes)))!;
            long sampleId = (long?)Scalar(c, "SELECT id FROM samples WHERE name = $n", ("$n", sample))
                ?? (long)Scalar(c, "INSERT INTO samples (name, created_at) VALUES ($n, $t) RETURNING id", ("$n", sample), ("$t", now))!;
            var ids = new List<long>(cells.Count);
            foreach (NewCell cell in cells)
            {
                string sha = Convert.ToHexStringLower(SHA256.HashData(cell.Image));
                Execute(c, "INSERT OR IGNORE INTO images (sha256, format, bytes) VALUES ($h, $f, $b)",
                    ("$h", sha), ("$f", FormatName(ImageDecoder.DetectFormat(cell.Image))), ("$b", cell.Image));
                Prediction p = cell.Prediction;
                ids.Add((long)Scalar(c, """
                    INSERT INTO cells (sample_id, model_id, image_sha256, file_name, class, class_index, confidence, probabilities, probability_std, status, reason, created_at,
                                       cell_index, cells_in_image, box_x, box_y, box_width, box_height, frame_x, frame_y, frame_side, uploaded_by)
                    VALUES ($s, $m, $h, $f, $c, $i, $p, $ps, $sd, $st, $r, $t, $ci, $cn, $bx, $by, $bw, $bh, $fx, $fy, $fs, $u) RETURNING id
                    """,
                    ("$s", sampleId), ("$m", modelId), ("$h", sha), ("$f", cell.FileName), ("$c", p.ClassName), ("$i", p.Index),
                    ("$p", double.Parse(p.Confidence.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)), ("$ps", JsonSerializer.Serialize(p.Probabilities)),
                    ("$sd", cell.WithUncertainty ? JsonSerializer.Serialize(p.ProbabilityStd) : null),
                    ("$st", DecisionRule.Name(cell.Status)), ("$r", cell.Reason), ("$t", now),
                    ("$ci", cell.CellIndex), ("$cn", cell.CellsInImage),
                    ("$bx", cell.Box?.X), ("$by", cell.Box?.Y), ("$bw", cell.Box?.Width), ("$bh", cell.Box?.Height),
                    ("$fx", cell.Frame?.X), ("$fy", cell.Frame?.Y), ("$fs", cell.Frame?.Width), ("$u", cell.UploadedBy))!);
            }
            tx.Commit();
            return ids;
        });
    }

    /// <summary>
    /// Appends a review of cell <paramref name="cellId"/>: <paramref name="label"/> (a class of the cell's model or
    /// <see cref="ReviewLabel.NotACell"/>), or the model's own answer when null (a confirmation).
    /// </summary>
    /// <exception cref="ReviewRefusedException">No such cell, or a label that is none of its model's; nothing is written.</exception>
    public CellReview AddReview(long cellId, string? label, string reviewer, DateTimeOffset time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reviewer);
        return Run(c =>
        {
            using SqliteTransaction tx = c.BeginTransaction(deferred: false);
            string cls, status, classesJson;
            using (SqliteCommand q = Command(c, "SELECT c.class, c.status, m.classes FROM cells c JOIN models m ON m.id = c.model_id WHERE c.id = $id", ("$id", cellId)))
            using (SqliteDataReader r = q.ExecuteReader())
            {
                if (!r.Read()) throw new ReviewRefusedException($"no cell {cellId}", notFound: true);
                (cls, status, classesJson) = (r.GetString(0), r.GetString(1), r.GetString(2));
            }
            var classes = JsonSerializer.Deserialize<string[]>(classesJson)!;
            string modelLabel = status == DecisionRule.Name(AnswerStatus.NotACell) ? ReviewLabel.NotACell : cls;
            string stored = label is null ? modelLabel : ReviewLabel.Resolve(classes, label)
                ?? throw new ReviewRefusedException($"unknown class '{label}' for cell {cellId} (expected one of: {string.Join(", ", ReviewLabel.All(classes))})", notFound: false);
            string action = stored == modelLabel ? "confirm" : "correct";
            long id = (long)Scalar(c, "INSERT INTO reviews (cell_id, label, action, reviewer, created_at) VALUES ($c, $l, $a, $r, $t) RETURNING id",
                ("$c", cellId), ("$l", stored), ("$a", action), ("$r", reviewer), ("$t", FormatTime(time)))!;
            tx.Commit();
            return new CellReview(id, cellId, stored, action, reviewer, ParseTime(FormatTime(time)));
        });
    }

    /// <summary>The cell <paramref name="cellId"/>, or null when there is none.</summary>
    public StoredCell? Cell(long cellId) => Run(c => ReadCells(c, "WHERE c.id = $id", ("$id", cellId))).SingleOrDefault();

    /// <summary>The cells of <paramref name="sample"/> (every cell when null), in the order they were stored.</summary>
    /// <exception cref="ReviewRefusedException">There is no such sample.</exception>
    public IReadOnlyList<StoredCell> Cells(string? sample = null) => Run(c =>
    {
        if (sample is null) return ReadCells(c, "");
        using SqliteTransaction tx = c.BeginTransaction(deferred: true);   // the check and the cells from one snapshot
        if (Scalar(c, "SELECT id FROM samples WHERE name = $n", ("$n", sample)) is null)
            throw new ReviewRefusedException($"no sample '{sample}'", notFound: true);
        return ReadCells(c, "WHERE s.name = $n", ("$n", sample));
    });

    /// <summary>The reviews of cell <paramref name="cellId"/>, oldest first; null when there is no such cell.</summary>
    public IReadOnlyList<CellReview>? History(long cellId) => Run<IReadOnlyList<CellReview>?>(c =>
    {
        using SqliteTransaction tx = c.BeginTransaction(deferred: true);
        if (Scalar(c, "SELECT id FROM cells WHERE id = $id", ("$id", cellId)) is null) return null;
        using SqliteCommand q = Command(c, "SELECT id, label, action, reviewer, created_at FROM reviews WHERE cell_id = $id ORDER BY id", ("$id", cellId));
        using SqliteDataReader r = q.ExecuteReader();
        var list = new List<CellReview>();
        while (r.Read()) list.Add(new CellReview(r.GetInt64(0), cellId, r.GetString(1), r.GetString(2), r.GetString(3), ParseTime(r.GetString(4))));
        return list;
    });

    /// <summary>
    /// The reviews of the cells of <paramref name="sample"/> (of every cell when null), by cell and then in the order they
    /// were stored: the audit trail's rows after the model's answers.
    /// </summary>
    /// <exception cref="ReviewRefusedException">There is no such sample.</exception>
    public IReadOnlyList<CellReview> Reviews(string? sample = null) => Run<IReadOnlyList<CellReview>>(c =>
    {
        using SqliteTransaction tx = c.BeginTransaction(deferred: true);
        if (sample is not null && Scalar(c, "SELECT id FROM samples WHERE name = $n", ("$n", sample)) is null)
            throw new ReviewRefusedException($"no sample '{sample}'", notFound: true);
        using SqliteCommand q = Command(c, $"""
            SELECT r.id, r.cell_id, r.label, r.action, r.reviewer, r.created_at
            FROM reviews r JOIN cells c ON c.id = r.cell_id JOIN samples s ON s.id = c.sample_id
            {(sample is null ? "" : "WHERE s.name = $n")}
            ORDER BY r.cell_id, r.id
            """, ("$n", sample));
        using SqliteDataReader r = q.ExecuteReader();
        var list = new List<CellReview>();
        while (r.Read()) list.Add(new CellReview(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), ParseTime(r.GetString(5))));
        return list;
    });

    /// <summary>
    /// Adds a user with a valid token whose SHA-256 is <paramref name="tokenSha256"/> (see <see cref="AccessToken"/>).
    /// </summary>
    /// <exception cref="WbcNcaException">The name is not a valid user name.</exception>
    /// <exception cref="ReviewRefusedException">A user of that name already has a valid token; nothing is written.</exception>
    public ReviewUser AddUser(string name, UserRole role, string tokenSha256, DateTimeOffset time)
    {
        string checkedName = ReviewUser.CheckName(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenSha256);
        return Run(c =>
        {
            using SqliteTransaction tx = c.BeginTransaction(deferred: false);
            if (Scalar(c, "SELECT id FROM users WHERE name = $n AND revoked_at IS NULL", ("$n", checkedName)) is not null)
                throw new ReviewRefusedException($"user '{checkedName}' already has a valid token (revoke it first to give a new one: 'wbc-nca users revoke {checkedName}')", notFound: false);
            long id = (long)Scalar(c, "INSERT INTO users (name, role, token_sha256, created_at) VALUES ($n, $r, $h, $t) RETURNING id",
                ("$n", checkedName), ("$r", ReviewUser.RoleName(role)), ("$h", tokenSha256), ("$t", FormatTime(time)))!;
            tx.Commit();
            return new ReviewUser(id, checkedName, role, ParseTime(FormatTime(time)), null);
        });
    }

    /// <summary>Every user ever added, valid and revoked, in the order they were added.</summary>
    public IReadOnlyList<ReviewUser> Users() => Run(c => ReadUsers(c, ""));

    /// <summary>The user whose token has the SHA-256 <paramref name="tokenSha256"/> (revoked or not), or null when none has.</summary>
    public ReviewUser? UserByToken(string tokenSha256) => Run(c => ReadUsers(c, "WHERE token_sha256 = $h", ("$h", tokenSha256))).SingleOrDefault();

    /// <summary>Revokes the valid token of user <paramref name="name"/>; the user's reviews stay as they are.</summary>
    /// <exception cref="ReviewRefusedException">No user of that name has a valid token; nothing is written.</exception>
    public ReviewUser RevokeUser(string name, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim();
        return Run(c =>
        {
            using SqliteTransaction tx = c.BeginTransaction(deferred: false);
            ReviewUser user = ReadUsers(c, "WHERE name = $n AND revoked_at IS NULL", ("$n", n)).SingleOrDefault()
                ?? throw new ReviewRefusedException(ReadUsers(c, "WHERE name = $n", ("$n", n)).Count > 0
                    ? $"user '{n}' has no valid token (it was revoked already)"
                    : $"no user '{n}' (see 'wbc-nca users list')", notFound: true);
            Execute(c, "UPDATE users SET revoked_at = $t WHERE id = $id", ("$t", FormatTime(time)), ("$id", user.Id));
            tx.Commit();
            return user with { Revoked = ParseTime(FormatTime(time)) };
        });
    }

    /// <summary>Every sample, oldest first, with how far its review has come.</summary>
    public IReadOnlyList<SampleSummary> Samples() => Samples(SampleQuery.All).Samples;

    /// <summary>The samples a query picks (name filter, order, page), with how far each one's review has come.</summary>
    public SamplePage Samples(SampleQuery query)
    {
        query.Validate();
        return Run(c =>
        {
            const string filter = "WHERE $q IS NULL OR instr(lower(s.name), lower($q)) > 0";
            var q = ("$q", (object?)query.NameContains);
            int total = Convert.ToInt32(Scalar(c, $"SELECT COUNT(*) FROM samples s {filter}", q), CultureInfo.InvariantCulture);
            using SqliteCommand command = Command(c, $"""
                SELECT s.name, s.created_at, COUNT(c.id),
                       COALESCE(SUM(l.review_id IS NOT NULL), 0),
                       COALESCE(SUM(l.review_id IS NULL AND c.status = 'review'), 0)
                FROM samples s LEFT JOIN cells c ON c.sample_id = s.id LEFT JOIN cell_labels l ON l.cell_id = c.id
                {filter}
                GROUP BY s.id ORDER BY s.id {(query.NewestFirst ? "DESC" : "ASC")} LIMIT $limit OFFSET $offset
                """, q, ("$limit", query.Limit ?? -1), ("$offset", query.Offset));
            using SqliteDataReader r = command.ExecuteReader();
            var list = new List<SampleSummary>();
            while (r.Read()) list.Add(new SampleSummary(r.GetString(0), ParseTime(r.GetString(1)), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4)));
            return new SamplePage(list, total);
        });
    }

    /// <summary>The uploaded bytes of the image with this SHA-256, or null.</summary>
    public byte[]? Image(string sha256) => Run(c => (byte[]?)Scalar(c, "SELECT bytes FROM images WHERE sha256 = $h", ("$h", sha256)));

    /// <summary>The result of <c>PRAGMA integrity_check</c>: "ok" for a sound file, otherwise the problems found.</summary>
    public string IntegrityCheck() => Run(c => string.Join("; ", Rows(c, "PRAGMA integrity_check")));

    private int Migrate(SqliteConnection c)
    {
        // Read before anything is written: a file that is not SQLite fails here and is left as it was.
        int version = Convert.ToInt32(Scalar(c, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        long app = Convert.ToInt64(Scalar(c, "PRAGMA application_id"), CultureInfo.InvariantCulture);
        long tables = (long)Scalar(c, "SELECT COUNT(*) FROM sqlite_schema")!;
        if (app != SchemaMigrations.ApplicationId && (version > 0 || tables > 0))
            throw WbcNcaException.ForFile(Path, "is another program's SQLite database, not a wbc-nca review database");
        if (version > SchemaMigrations.Latest)
            throw WbcNcaException.ForFile(Path, $"was made by a newer wbc-nca (schema version {version}; this one knows versions up to {SchemaMigrations.Latest}); update wbc-nca");
        Scalar(c, "PRAGMA journal_mode = WAL");   // kept in the file; readers and the writer do not block each other
        foreach (SchemaMigration step in SchemaMigrations.All)
        {
            if (step.Version <= version) continue;
            using SqliteTransaction tx = c.BeginTransaction(deferred: false);
            // Another process may have migrated since the version was read: read it again under the write lock.
            int now = Convert.ToInt32(Scalar(c, "PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (now < step.Version)
            {
                Execute(c, step.Sql);
                Execute(c, $"PRAGMA user_version = {step.Version}");
            }
            tx.Commit();
            version = step.Version;
        }
        return version;
    }

    private IReadOnlyList<StoredCell> ReadCells(SqliteConnection c, string where, params (string, object?)[] parameters)
    {
        using SqliteCommand q = Command(c, $"""
            SELECT c.id, s.name, c.file_name, c.image_sha256, i.format, m.id, m.file_name, m.sha256, m.classes,
                   c.class, c.class_index, c.confidence, c.probabilities, c.probability_std, c.status, c.reason, c.created_at,
                   l.review_id, l.label, l.action, l.reviewer, l.reviewed_at, l.reviews,
                   c.cell_index, c.cells_in_image, c.box_x, c.box_y, c.box_width, c.box_height, c.frame_x, c.frame_y, c.frame_side,
                   c.uploaded_by
            FROM cells c
            JOIN samples s ON s.id = c.sample_id
            JOIN models m ON m.id = c.model_id
            JOIN images i ON i.sha256 = c.image_sha256
            JOIN cell_labels l ON l.cell_id = c.id
            {where}
            ORDER BY c.id
            """, parameters);
        using SqliteDataReader r = q.ExecuteReader();
        var models = new Dictionary<long, (ModelIdentity, string[])>();
        var list = new List<StoredCell>();
        while (r.Read())
        {
            long id = r.GetInt64(0);
            long modelId = r.GetInt64(5);
            if (!models.TryGetValue(modelId, out var model))
                models[modelId] = model = (new ModelIdentity(r.GetString(6), r.GetString(7)), JsonSerializer.Deserialize<string[]>(r.GetString(8))!);
            CellReview? latest = r.IsDBNull(17) ? null
                : new CellReview(r.GetInt64(17), id, r.GetString(18), r.GetString(19), r.GetString(20), ParseTime(r.GetString(21)));
            list.Add(new StoredCell(id, r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), model.Item1, model.Item2,
                r.GetString(9), r.GetInt32(10), r.GetDouble(11), JsonSerializer.Deserialize<float[]>(r.GetString(12))!,
                r.IsDBNull(13) ? null : JsonSerializer.Deserialize<float[]>(r.GetString(13)), r.GetString(14), r.GetString(15),
                ParseTime(r.GetString(16)), latest, r.GetInt32(22))
            {
                CellIndex = r.IsDBNull(23) ? null : r.GetInt32(23),
                CellsInImage = r.IsDBNull(24) ? null : r.GetInt32(24),
                Box = r.IsDBNull(25) ? null : new CellBox(r.GetInt32(25), r.GetInt32(26), r.GetInt32(27), r.GetInt32(28)),
                Frame = r.IsDBNull(29) ? null : new CellBox(r.GetInt32(29), r.GetInt32(30), r.GetInt32(31), r.GetInt32(31)),
                UploadedBy = r.IsDBNull(32) ? null : r.GetString(32),
            });
        }
        return list;
    }

    private static List<ReviewUser> ReadUsers(SqliteConnection c, string where, params (string, object?)[] parameters)
    {
        using SqliteCommand q = Command(c, $"SELECT id, name, role, created_at, revoked_at FROM users {where} ORDER BY id", parameters);
        using SqliteDataReader r = q.ExecuteReader();
        var list = new List<ReviewUser>();
        while (r.Read())
            list.Add(new ReviewUser(r.GetInt64(0), r.GetString(1), ReviewUser.ParseRole(r.GetString(2))!.Value, ParseTime(r.GetString(3)),
                r.IsDBNull(4) ? null : ParseTime(r.GetString(4))));
        return list;
    }

    /// <summary>Runs <paramref name="work"/> on a fresh connection; SQLite failures become one line naming the file.</summary>
    private T Run<T>(Func<SqliteConnection, T> work)
    {
        try
        {
            using var c = new SqliteConnection(connectionString);
            c.Open();
            Execute(c, $"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {BusySeconds * 1000}");
            return work(c);
        }
        catch (SqliteException e)
        {
            throw new ReviewDatabaseException(Path, Problem(e), e.SqliteErrorCode == 5 /* SQLITE_BUSY */, e);
        }
    }

    private static string Problem(SqliteException e) => e.SqliteErrorCode switch
    {
        26 => "not a SQLite database (or an encrypted one)",
        11 => "the database is damaged (" + e.Message.ReplaceLineEndings(" ") + ")",
        13 => "cannot write: the disk is full",
        8 => "cannot write: the database is read-only",
        14 => "cannot open the database file (" + e.Message.ReplaceLineEndings(" ") + ")",
        5 => $"the database stayed locked by another writer for {BusySeconds} s",
        _ => e.Message.ReplaceLineEndings(" "),
    };

    private static string FormatName(ImageFormat format) => format.ToString().ToLowerInvariant();

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static SqliteCommand Command(SqliteConnection c, string sql, params (string Name, object? Value)[] parameters)
    {
        SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private static object? Scalar(SqliteConnection c, string sql, params (string, object?)[] parameters)
    {
        using SqliteCommand cmd = Command(c, sql, parameters);
        object? v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    private static void Execute(SqliteConnection c, string sql, params (string, object?)[] parameters)
    {
        using SqliteCommand cmd = Command(c, sql, parameters);
        cmd.ExecuteNonQuery();
    }

    private static List<string> Rows(SqliteConnection c, string sql)
    {
        using SqliteCommand cmd = Command(c, sql);
        using SqliteDataReader r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read()) rows.Add(r.GetString(0));
        return rows;
    }
}
