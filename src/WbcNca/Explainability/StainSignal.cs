namespace WbcNca.Explainability;

/// <summary>The per-pixel signal on which <see cref="CellMask"/> thresholds (values from the 8-bit RGB image scaled to [0, 1]).</summary>
public enum StainSignal
{
    /// <summary>Blue minus green: high on the violet-blue Romanowsky/May-Grünwald-Giemsa stain of white cells (nucleus and cytoplasm), low on pink red cells and the pale background. The default.</summary>
    BlueMinusGreen,

    /// <summary>1 − green: darkness in the green channel (nuclei and red cells both absorb green).</summary>
    InverseGreen,

    /// <summary>Saturation, max(R,G,B) − min(R,G,B).</summary>
    Saturation,
}
