namespace WbcNca.Web;

/// <summary>One channel of an <see cref="ExplainResponse"/>: its share of the decision and where it is active.</summary>
/// <param name="Channel">Channel index in the NCA state.</param>
/// <param name="Relevance">Its relevance for the explained class (positive: speaks for it).</param>
/// <param name="MapPng">A PNG of where the channel is active in the final state.</param>
/// <param name="OnCell">Share of the channel's activation that lies on the cell, in [0, 1] (NaN: not measured).</param>
public sealed record ChannelMapResponse(int Channel, double Relevance, byte[] MapPng, double OnCell = double.NaN);
