using Microsoft.Data.Sqlite;
using WbcNca.Review;

namespace WbcNca.Tests.Cli;

/// <summary><c>wbc-nca users add|list|revoke</c> as a real process.</summary>
public sealed class UsersCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-users-cli-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Users_add_prints_the_token_once_list_shows_the_users_and_revoke_ends_the_token()
    {
        string db = Path.Combine(dir, "lab", "reviews.db");   // made by the first 'users add'
        var add = CliProcess.Run("users", "add", "Ann Lee", "--role", "reviewer", "--db", db);
        Assert.True(add.ExitCode == 0, add.Stderr);
        Assert.Equal(2, add.StdoutLines.Length);
        Assert.StartsWith($"added Ann Lee (reviewer) to {db}; their access token, shown only now", add.StdoutLines[0]);
        string token = add.StdoutLines[1].Trim();
        Assert.Matches("^wbc_[A-Za-z0-9_-]{43}$", token);
        Assert.Equal("", add.Stderr);
        Assert.Equal(0, CliProcess.Run("users", "add", "bob", "--role", "viewer", "--db", db).ExitCode);

        // The database knows the token by its hash only.
        var reviews = ReviewDatabase.Open(db, create: false);
        Assert.Equal(("Ann Lee", UserRole.Reviewer), (reviews.UserByToken(AccessToken.Hash(token))!.Name, reviews.UserByToken(AccessToken.Hash(token))!.Role));
        SqliteConnection.ClearAllPools();

        var list = CliProcess.Run("users", "list", "--db", db);
        Assert.Equal(0, list.ExitCode);
        Assert.Equal("user     role      added (UTC)               token", list.StdoutLines[0]);
        Assert.Matches(@"^Ann Lee  reviewer  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  valid$", list.StdoutLines[1]);
        Assert.Matches(@"^bob      viewer    \S+  valid$", list.StdoutLines[2]);
        Assert.DoesNotContain(token, list.Stdout);

        var revoke = CliProcess.Run("users", "revoke", "Ann Lee", "--db", db);
        Assert.Equal(0, revoke.ExitCode);
        Assert.Equal([$"revoked the token of Ann Lee (reviewer) in {db}; a running server refuses it from the next request"], revoke.StdoutLines);
        Assert.False(ReviewDatabase.Open(db, create: false).UserByToken(AccessToken.Hash(token))!.Active);
        SqliteConnection.ClearAllPools();
        Assert.Matches(@"^Ann Lee  reviewer  \S+  revoked \S+Z$", CliProcess.Run("users", "list", "--db", db).StdoutLines[1]);
    }

    [Fact]
    public void Users_with_bad_input_give_one_line_and_a_non_zero_exit()
    {
        string db = Path.Combine(dir, "reviews.db");
        Assert.Equal(0, CliProcess.Run("users", "add", "ann", "--role", "viewer", "--db", db).ExitCode);
        string absent = Path.Combine(dir, "absent.db");
        var cases = new (string[] Args, int Exit, string Line)[]
        {
            (["users", "add", "bob", "--role", "admin", "--db", db], 2, "error: --role: 'admin' is not one of 'viewer', 'reviewer'"),
            (["users", "add", "bob", "--db", db], 2, "error: missing option --role; see 'wbc-nca users add --help'"),
            (["users", "add", "  ", "--role", "viewer", "--db", db], 1, "error: users add: the user name is empty"),
            (["users", "add", "ann", "--role", "reviewer", "--db", db], 1, $"error: {db}: user 'ann' already has a valid token (revoke it first to give a new one: 'wbc-nca users revoke ann')"),
            (["users", "revoke", "carl", "--db", db], 1, $"error: {db}: no user 'carl' (see 'wbc-nca users list')"),
            (["users", "list", "--db", absent], 1, $"error: {absent}: no review database here (it is made by 'wbc-nca serve --db PATH')"),
            (["users", "revoke", "ann", "--db", absent], 1, $"error: {absent}: no review database here (it is made by 'wbc-nca serve --db PATH')"),
            (["users", "remove", "ann"], 2, "error: unknown command 'remove' (did you mean 'revoke'?); see 'wbc-nca users --help'"),
        };
        foreach (var (args, exit, line) in cases)
        {
            var r = CliProcess.Run(args);
            Assert.True(exit == r.ExitCode, $"{string.Join(' ', args)}: exit {r.ExitCode}, {r.Stderr}");
            Assert.Equal([line], r.StderrLines);
            Assert.Equal("", r.Stdout);
        }
        Assert.False(File.Exists(absent));
        Assert.Single(ReviewDatabase.Open(db, create: false).Users());
    }
}
