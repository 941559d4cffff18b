namespace WbcNca.Web;

/// <summary>
/// Explains one prediction (paper's explainability): which hidden channels carried the decision and where in the cell
/// they were active. The web server calls it from its inference queue (one call at a time per worker) for
/// <c>POST /api/explain</c>; a server started without one answers 501 there and the page hides the panel.
/// </summary>
public interface IExplainer
{
    /// <summary>Name of the method, shown on the page and returned by the API (e.g. "relevance propagation").</summary>
    string Name { get; }

    /// <summary>Explains the model's answer for one image.</summary>
    ExplainResponse Explain(ExplainRequest request);
}
