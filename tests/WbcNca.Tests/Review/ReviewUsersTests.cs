using System.Text;
using Microsoft.Data.Sqlite;
using WbcNca.Data;
using WbcNca.Inference;
using WbcNca.Review;

namespace WbcNca.Tests.Review;

public sealed class ReviewUsersTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 7, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-users-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    private string DbPath => Path.Combine(dir, "reviews.db");

    private static void Sql(string path, string sql)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public void A_token_is_256_random_bits_and_the_database_keeps_only_its_sha256()
    {
        string token = AccessToken.New();
        Assert.Matches("^wbc_[A-Za-z0-9_-]{43}$", token);
        Assert.NotEqual(token, AccessToken.New());
        // SHA-256 of "abc" (FIPS 180-2 test vector).
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", AccessToken.Hash("abc"));

        var db = ReviewDatabase.Open(DbPath);
        ReviewUser ann = db.AddUser("  Ann  ", UserRole.Reviewer, AccessToken.Hash(token), T0);
        Assert.Equal(("Ann", UserRole.Reviewer, T0, true), (ann.Name, ann.Role, ann.Created, ann.Active));
        Assert.Equal(ann, db.UserByToken(AccessToken.Hash(token)));
        Assert.Null(db.UserByToken(AccessToken.Hash(AccessToken.New())));
        Assert.Null(db.UserByToken(token));   // looked up by hash only
        SqliteConnection.ClearAllPools();
        byte[] file = File.ReadAllBytes(DbPath).Concat(File.Exists(DbPath + "-wal") ? File.ReadAllBytes(DbPath + "-wal") : []).ToArray();
        Assert.DoesNotContain(token, Encoding.ASCII.GetString(file), StringComparison.Ordinal);
        Assert.Contains(AccessToken.Hash(token), Encoding.ASCII.GetString(file), StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_is_revoked_not_changed_or_deleted_and_a_new_token_is_a_new_user_row()
    {
        var db = ReviewDatabase.Open(DbPath);
        string first = AccessToken.New(), second = AccessToken.New();
        db.AddUser("ann", UserRole.Viewer, AccessToken.Hash(first), T0);
        var twice = Assert.Throws<ReviewRefusedException>(() => db.AddUser("ann", UserRole.Reviewer, AccessToken.Hash(second), T0));
        Assert.Equal("user 'ann' already has a valid token (revoke it first to give a new one: 'wbc-nca users revoke ann')", twice.Message);
        Assert.Throws<WbcNcaException>(() => db.AddUser("a\u0007b", UserRole.Viewer, AccessToken.Hash(second), T0));
        Assert.Throws<WbcNcaException>(() => db.AddUser(new string('x', 121), UserRole.Viewer, AccessToken.Hash(second), T0));
        Assert.Single(db.Users());

        ReviewUser revoked = db.RevokeUser("ann", T0.AddHours(1));
        Assert.Equal(T0.AddHours(1), revoked.Revoked);
        Assert.False(db.UserByToken(AccessToken.Hash(first))!.Active);
        Assert.Equal("user 'ann' has no valid token (it was revoked already)", Assert.Throws<ReviewRefusedException>(() => db.RevokeUser("ann", T0)).Message);
        Assert.Equal("no user 'bob' (see 'wbc-nca users list')", Assert.Throws<ReviewRefusedException>(() => db.RevokeUser("bob", T0)).Message);

        db.AddUser("ann", UserRole.Reviewer, AccessToken.Hash(second), T0.AddHours(2));
        Assert.Equal([(UserRole.Viewer, false), (UserRole.Reviewer, true)], db.Users().Select(u => (u.Role, u.Active)));

        // By hand or by another program: a revoked token stays revoked, a user keeps name, role and token, nobody is deleted.
        SqliteConnection.ClearAllPools();
        foreach (string sql in new[]
        {
            "UPDATE users SET revoked_at = NULL WHERE name = 'ann' AND role = 'viewer'",
            "UPDATE users SET role = 'reviewer' WHERE role = 'viewer'",
            "UPDATE users SET name = 'eve' WHERE role = 'reviewer'",
            "DELETE FROM users",
        })
            Assert.Contains("revoked", Assert.Throws<SqliteException>(() => Sql(DbPath, sql)).Message);
        Assert.Equal(2, ReviewDatabase.Open(DbPath).Users().Count);
    }

    [Fact]
    public void The_audit_trail_has_per_cell_who_stored_it_the_model_answer_then_each_review_with_who_and_when()
    {
        var db = ReviewDatabase.Open(DbPath);
        var model = new ModelIdentity("=m.safetensors", new string('c', 64));
        IReadOnlyList<long> ids = db.AddCells("S1", model, CellClasses.Fine,
            [ReviewDatabaseTests.Cell("a.png", 9, AnswerStatus.Review, 1) with { UploadedBy = "dora" }, ReviewDatabaseTests.Cell("b,c.png", 0, AnswerStatus.NotACell, 2)], T0);
        db.AddCells("S2", model, CellClasses.Fine, [ReviewDatabaseTests.Cell("other.png", 1, AnswerStatus.Ok, 3)], T0);
        db.AddReview(ids[0], "eosinophil", "ann", T0.AddMinutes(1));
        db.AddReview(ids[1], null, "@bob", T0.AddMinutes(2));
        db.AddReview(ids[0], null, "carl", T0.AddMinutes(3));

        string[] lines = AuditTrail.Csv(db, "S1").Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([
            AuditTrail.CsvHeader,
            $"{ids[0]},S1,a.png,2025-07-01T08:00:00.000Z,upload,,dora,,,,",
            $"{ids[0]},S1,a.png,2025-07-01T08:00:00.000Z,model,monocyte,'=m.safetensors,,{new string('c', 64)},0.6000,review",
            $"{ids[0]},S1,a.png,2025-07-01T08:01:00.000Z,correct,eosinophil,ann,1,,,",
            $"{ids[0]},S1,a.png,2025-07-01T08:03:00.000Z,confirm,monocyte,carl,3,,,",
            $"{ids[1]},S1,\"b,c.png\",2025-07-01T08:00:00.000Z,model,not_a_cell,'=m.safetensors,,{new string('c', 64)},0.6000,not_a_cell",
            $"{ids[1]},S1,\"b,c.png\",2025-07-01T08:02:00.000Z,confirm,not_a_cell,'@bob,2,,,",
        ], lines);
        Assert.Equal(4, AuditTrail.Csv(db, cell: ids[0]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length - 1);
        Assert.Equal(7, AuditTrail.Csv(db).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length - 1);
        Assert.Equal("dora", db.Cell(ids[0])!.UploadedBy);
        Assert.Null(db.Cell(ids[1])!.UploadedBy);   // the b,c.png cell has no upload row: who stored it is not known
        Assert.Equal("no sample 'S9'", Assert.Throws<ReviewRefusedException>(() => AuditTrail.Csv(db, "S9")).Message);
        Assert.Equal("no cell 99", Assert.Throws<ReviewRefusedException>(() => AuditTrail.Csv(db, cell: 99)).Message);
        Assert.Equal($"cell {ids[0]} is not in sample 'S2'", Assert.Throws<ReviewRefusedException>(() => AuditTrail.Csv(db, "S2", ids[0])).Message);
    }
}
