using System.CommandLine;
using WbcNca.Review;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca users add|list|revoke</c>: who may use a served page. <c>add NAME --role viewer|reviewer</c> makes a
/// user and prints their access token once (the database keeps only its SHA-256); <c>list</c> shows the users and
/// whether their token is valid; <c>revoke NAME</c> ends a token at once (the user's reviews stay).
/// </summary>
public static class UsersCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("users", "Who may use the served page ('serve' beyond loopback): add a user with a role and an access token, list them, revoke a token");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Option<string?> Db() => new("--db")
    {
        Description = "The review database that 'serve --db' uses; default: the user's data folder's wbc-nca/reviews.db",
    };

    private static string DbPath(string? given) => given ?? ReviewDatabase.DefaultPath();

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "The user's name, recorded with each of their reviews" };
        var role = new Option<string>("--role")
        {
            Description = "Viewer (classify, explain, read samples and counts) or reviewer (also store, confirm and correct cells and export)",
            Required = true,
        };
        role.AcceptOnlyFromAmong("viewer", "reviewer");
        var db = Db();
        var command = new Command("add", "Add a user and print their access token, once (made on first use, the database keeps only its SHA-256)") { name, role, db };
        command.SetAction(parse =>
        {
            string path = DbPath(parse.GetValue(db));
            UserRole r = ReviewUser.ParseRole(parse.GetValue(role)!)!.Value;
            string userName;
            try { userName = ReviewUser.CheckName(parse.GetValue(name)!); }
            catch (WbcNcaException e) { throw new WbcNcaException($"users add: {e.Message}"); }
            ReviewDatabase reviews = ReviewDatabase.Open(path);
            string token = AccessToken.New();
            ReviewUser user;
            try { user = reviews.AddUser(userName, r, AccessToken.Hash(token), DateTimeOffset.UtcNow); }
            catch (ReviewRefusedException e) { throw WbcNcaException.ForFile(path, e.Message); }
            Console.Out.WriteLine($"added {user.Name} ({ReviewUser.RoleName(user.Role)}) to {path}; their access token, shown only now (send it as 'Authorization: Bearer TOKEN', or paste it into the page):");
            Console.Out.WriteLine(token);
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var db = Db();
        var command = new Command("list", "List the users: name, role, when added, whether their token is valid or was revoked") { db };
        command.SetAction(parse =>
        {
            IReadOnlyList<ReviewUser> users = ReviewDatabase.Open(DbPath(parse.GetValue(db)), create: false).Users();
            int width = Math.Max("user".Length, users.Select(u => u.Name.Length).DefaultIfEmpty(0).Max());
            Console.Out.WriteLine($"{"user".PadRight(width)}  {"role",-8}  {"added (UTC)",-24}  token");
            foreach (ReviewUser u in users)
            {
                string token = u.Revoked is { } when ? $"revoked {ReviewDatabase.FormatTime(when)}" : "valid";
                Console.Out.WriteLine($"{u.Name.PadRight(width)}  {ReviewUser.RoleName(u.Role),-8}  {ReviewDatabase.FormatTime(u.Created),-24}  {token}");
            }
            return 0;
        });
        return command;
    }

    private static Command Revoke()
    {
        var name = new Argument<string>("name") { Description = "The user whose token ends" };
        var db = Db();
        var command = new Command("revoke", "Revoke a user's access token at once (their reviews stay as they are)") { name, db };
        command.SetAction(parse =>
        {
            string path = DbPath(parse.GetValue(db));
            ReviewDatabase reviews = ReviewDatabase.Open(path, create: false);
            ReviewUser user;
            try { user = reviews.RevokeUser(parse.GetValue(name)!, DateTimeOffset.UtcNow); }
            catch (ReviewRefusedException e) { throw WbcNcaException.ForFile(path, e.Message); }
            Console.Out.WriteLine($"revoked the token of {user.Name} ({ReviewUser.RoleName(user.Role)}) in {path}; a running server refuses it from the next request");
            return 0;
        });
        return command;
    }
}
