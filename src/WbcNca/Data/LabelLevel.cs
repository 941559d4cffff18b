namespace WbcNca.Data;

/// <summary>Which label set a label index refers to.</summary>
public enum LabelLevel
{
    /// <summary>The 13 harmonised classes of the paper (<see cref="CellClasses.Fine"/>).</summary>
    Fine,

    /// <summary>The six coarse classes: five main white blood cell types and "other" (<see cref="CellClasses.Coarse"/>).</summary>
    Coarse,
}
