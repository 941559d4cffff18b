using System.Text.Json;
using System.Text.RegularExpressions;

namespace WbcNca.IO;

/// <summary>
/// What is wrong with a JSON document, said for people: the key and the problem, without the .NET type names that
/// <see cref="JsonSerializer"/>'s messages carry ("could not be converted to System.Int32").
/// </summary>
public static partial class JsonProblem
{
    /// <summary>One line for <paramref name="e"/>, e.g. "'steps' has a value of the wrong kind".</summary>
    public static string Describe(JsonException e)
    {
        string message = e.Message.ReplaceLineEndings(" ").Trim();
        string? key = e.Path is { Length: > 0 } path && path != "$" ? path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path : null;
        if (ConversionFailed().IsMatch(message))
            return key is null ? "the document has the wrong form" : $"'{key}' has a value of the wrong kind";
        if (MissingProperties().Match(message) is { Success: true } missing)
            return $"missing {missing.Groups[1].Value.Trim().TrimEnd('.')}";
        // Anything else: the message without its position details and with any type name left out.
        message = Position().Replace(message, "").Trim().TrimEnd('.');
        return TypeName().Replace(message, "a value");
    }

    [GeneratedRegex(@"^The JSON value could not be converted to ")]
    private static partial Regex ConversionFailed();

    [GeneratedRegex(@"was missing required properties,? including:? (.*)$")]
    private static partial Regex MissingProperties();

    [GeneratedRegex(@"\s*(Path: .*)?\|? ?LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex Position();

    [GeneratedRegex(@"'?\b(System|WbcNca|TorchSharp)(\.[\w`]+)+(\[[^\]]*\])*'?")]
    private static partial Regex TypeName();
}
