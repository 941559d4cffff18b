namespace WbcNca.Web;

/// <summary>
/// The web server's explanation of one prediction (what <c>POST /api/explain</c> returns, before it becomes JSON);
/// not to be confused with the library's full <see cref="Explainability.Explanation"/>, from which it is made.
/// </summary>
/// <param name="ClassIndex">The class explained.</param>
/// <param name="Channels">The most relevant channels, most relevant first.</param>
/// <param name="OverlayPng">A PNG of the relevance drawn over the cell.</param>
/// <param name="FocusScore">Relevance-weighted share of the top channels' activation that lies on the cell (NaN: not measured).</param>
/// <param name="CellArea">Share of the image the cell covers: the focus score of a channel spread evenly (NaN: not measured).</param>
/// <param name="PooledOnCell">Relevance-weighted share of the top channels whose maximum (what the head reads) lies on the cell (NaN: not measured).</param>
public sealed record ExplainResponse(int ClassIndex, IReadOnlyList<ChannelMapResponse> Channels, byte[] OverlayPng,
    double FocusScore = double.NaN, double CellArea = double.NaN, double PooledOnCell = double.NaN);
