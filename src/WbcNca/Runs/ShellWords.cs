using System.Text.RegularExpressions;

namespace WbcNca.Runs;

/// <summary>Words of a POSIX shell command line, quoted so that bash reads each back as it is (for the job scripts).</summary>
public static partial class ShellWords
{
    /// <summary><paramref name="word"/> as it is when it needs no quotes, else in single quotes (a quote inside written as <c>'\''</c>).</summary>
    public static string Quote(string word) =>
        word.Length > 0 && Plain().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The words quoted and joined with spaces.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    [GeneratedRegex(@"^[A-Za-z0-9_@%+=:,./-]+$")]
    private static partial Regex Plain();
}
