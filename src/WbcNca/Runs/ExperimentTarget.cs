using WbcNca.Data;
using WbcNca.Imaging;

namespace WbcNca.Runs;

/// <summary>Another data set an experiment evaluates every model on (<c>--eval KIND:PATH[:NORMALISATION]</c>).</summary>
/// <param name="Kind">Reader kind.</param>
/// <param name="Path">Data folder.</param>
/// <param name="Normalization">Normalisation name (null: the model's).</param>
public sealed record ExperimentTarget(string Kind, string Path, string? Normalization)
{
    /// <summary>Parses KIND:PATH[:NORMALISATION].</summary>
    /// <exception cref="WbcNcaException">Not of that form, an unknown kind or normalisation.</exception>
    public static ExperimentTarget Parse(string spec)
    {
        string[] parts = spec.Split(':');
        if (parts.Length is < 2 or > 3) throw new WbcNcaException($"--eval {spec}: expected KIND:PATH[:NORMALISATION]");
        _ = DatasetReader.ForKind(parts[0]);
        if (parts.Length == 3)
        {
            try { _ = Imaging.Normalization.Parse(parts[2]); }
            catch (ArgumentException e) { throw new WbcNcaException($"--eval {spec}: {e.Message}"); }
        }
        return new ExperimentTarget(parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
    }
}
