using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using WbcNca.Checkpoints;
using WbcNca.Model;
using WbcNca.Tests.Export;
using WbcNca.Web;

namespace WbcNca.Tests.Web;

/// <summary>A small random model served by the app on the in-memory test server.</summary>
public sealed class WebTestHost : IAsyncDisposable
{
    public static readonly NcaConfig Small = new(Channels: 16, HiddenSize: 24, Steps: 12, ImageSize: 16, ClassifierHidden: 20, NumClasses: 13);

    public static readonly WebOptions Limits = new(MaxImagesPerRequest: 3, MaxUploadBytes: 300_000, MaxImagePixels: 1_000_000, Samples: 4);

    private WebTestHost(WebApplication app, ModelBundle bundle)
    {
        App = app;
        Bundle = bundle;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public ModelBundle Bundle { get; }

    public HttpClient Client { get; }

    public static Task<WebTestHost> StartAsync(IExplainer? explainer = null, WebOptions? options = null, IReadOnlyDictionary<string, string>? provenance = null,
                                               ReviewRecords? records = null) =>
        StartAsync(_ => explainer, options, provenance, records);

    public static async Task<WebTestHost> StartAsync(Func<ModelBundle, IExplainer?> explainerFor, WebOptions? options = null, IReadOnlyDictionary<string, string>? provenance = null,
                                                     ReviewRecords? records = null)
    {
        ModelBundle bundle = OnnxExportTests.RandomBundle(Small, 1);
        if (provenance is not null) bundle = bundle with { Provenance = provenance };
        IExplainer? explainer = explainerFor(bundle);
        WebApplication app = WbcNcaServer.Create(bundle, options ?? Limits, explainer, configure: b => b.WebHost.UseTestServer(), records: records);
        await app.StartAsync();
        return new WebTestHost(app, bundle);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
