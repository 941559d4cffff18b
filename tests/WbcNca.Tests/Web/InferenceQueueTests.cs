using WbcNca.Inference;
using WbcNca.Tests.Export;
using WbcNca.Web;

namespace WbcNca.Tests.Web;

[Collection(TorchCollection.Name)]
public class InferenceQueueTests
{
    private static Predictor SmallPredictor() => new(OnnxExportTests.RandomBundle(WebTestHost.Small, 2));

    [Fact]
    public async Task A_full_queue_refuses_at_once_with_503_and_serves_again_when_it_drains()
    {
        await using var queue = new InferenceQueue(SmallPredictor(), new WebOptions(QueueCapacity: 1, Workers: 1));
        using var started = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        Task<int> running = queue.RunAsync(() => { started.Release(); release.Wait(); return 1; });
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(30)), "the first job never started");
        Task<int> waiting = queue.RunAsync(() => 2);                     // fills the one waiting place
        ApiException? refused = null;
        try { _ = queue.RunAsync(() => 3); }
        catch (ApiException e) { refused = e; }             // refused synchronously, before any waiting
        Assert.Equal(503, refused?.Status);
        release.Release();
        Assert.Equal(1, await running);
        Assert.Equal(2, await waiting);
        Assert.Equal(4, await queue.RunAsync(() => 4));
    }

    [Fact]
    public async Task A_request_abandoned_while_waiting_is_dropped_without_computing_it()
    {
        await using var queue = new InferenceQueue(SmallPredictor(), new WebOptions(Workers: 1));
        using var started = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        Task<int> running = queue.RunAsync(() => { started.Release(); release.Wait(); return 1; });
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(30)), "the first job never started");
        using var gone = new CancellationTokenSource();
        var abandoned = queue.PredictAsync([new float[3 * 16 * 16]], new PredictOptions(), gone.Token);
        var kept = queue.PredictAsync([new float[3 * 16 * 16]], new PredictOptions());
        gone.Cancel();
        release.Release();
        await running;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Single(await kept);
    }

    [Fact]
    public async Task Concurrent_prediction_requests_get_the_answers_they_would_get_alone()
    {
        var predictor = SmallPredictor();
        await using var queue = new InferenceQueue(predictor, new WebOptions(Workers: 1, BatchSize: 5));
        var rng = new Random(3);
        var requests = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 1 + rng.Next(3))
            .Select(_ => Enumerable.Range(0, 3 * 16 * 16).Select(_ => (float)rng.NextDouble()).ToArray()).ToList()).ToList();
        var options = new PredictOptions(Samples: 2);
        var answers = await Task.WhenAll(requests.Select(r => Task.Run(() => queue.PredictAsync(r, options))));
        for (int i = 0; i < requests.Count; i++)
        {
            var alone = predictor.Predict(requests[i], options);
            Assert.Equal(alone.Count, answers[i].Count);
            for (int j = 0; j < alone.Count; j++)
                for (int c = 0; c < 13; c++) Assert.Equal(alone[j].Probabilities[c], answers[i][j].Probabilities[c], 5);
        }
        Assert.Equal(0, queue.Pending);
    }
}
