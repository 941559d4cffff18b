namespace WbcNca.IO;

/// <summary>An allow-listed Python global (module and name) that a restricted pickle referred to; never executed.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    /// <summary>"module.name".</summary>
    public override string ToString() => $"{Module}.{Name}";
}
