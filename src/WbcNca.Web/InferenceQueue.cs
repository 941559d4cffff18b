using System.Threading.Channels;
using WbcNca.Inference;

namespace WbcNca.Web;

/// <summary>
/// A bounded queue in front of the model: at most <see cref="WebOptions.Workers"/> jobs run at once (each
/// forward pass already uses libtorch's intra-op threads, so more would only oversubscribe the CPU), at most
/// <see cref="WebOptions.QueueCapacity"/> wait, and further requests are refused at once with 503. Waiting
/// prediction jobs with the same settings are merged into one batch of up to <see cref="WebOptions.BatchSize"/>
/// images (answers do not depend on the batch: the update masks are shared by the images of a batch).
/// </summary>
public sealed class InferenceQueue : IAsyncDisposable
{
    private readonly Channel<Job> channel;
    private readonly Predictor predictor;
    private readonly int batchSize;
    private readonly Task[] workers;
    private int waiting;

    /// <summary>Starts the workers.</summary>
    public InferenceQueue(Predictor predictor, WebOptions options)
    {
        this.predictor = predictor;
        batchSize = options.BatchSize;
        Capacity = options.QueueCapacity;
        channel = Channel.CreateBounded<Job>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,   // TryWrite then fails instead of dropping
            SingleReader = options.Workers == 1,
        });
        workers = Enumerable.Range(0, options.Workers)
            .Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())
            .ToArray();
    }

    /// <summary>Most jobs that may wait.</summary>
    public int Capacity { get; }

    /// <summary>Jobs waiting or running now.</summary>
    public int Pending => Volatile.Read(ref waiting);

    /// <summary>
    /// Predicts preprocessed images; throws <see cref="ApiException"/> 503 when the queue is full. A job whose
    /// <paramref name="cancel"/> fires before it starts (the client went away) is dropped without computing it.
    /// </summary>
    public Task<IReadOnlyList<Prediction>> PredictAsync(IReadOnlyList<float[]> images, PredictOptions options, CancellationToken cancel = default)
    {
        var job = new PredictJob(images, options, cancel);
        Enqueue(job);
        return job.Result.Task;
    }

    /// <summary>Runs other model work (an explanation) in the queue; throws <see cref="ApiException"/> 503 when full.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var job = new WorkJob<T>(work);
        Enqueue(job);
        return job.Result.Task;
    }

    private void Enqueue(Job job)
    {
        Interlocked.Increment(ref waiting);
        if (!channel.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref waiting);
            throw new ApiException(503, $"the server is busy ({Capacity} requests waiting for the model); try again shortly");
        }
    }

    private async Task Work()
    {
        var reader = channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (!reader.TryRead(out Job? job)) continue;
            if (job is PredictJob { Cancel.IsCancellationRequested: true } abandoned)
            {
                abandoned.Result.TrySetCanceled(abandoned.Cancel);
                Interlocked.Decrement(ref waiting);
                continue;
            }
            var jobs = new List<Job> { job };
            if (job is PredictJob first)
            {
                int images = first.Images.Count;
                while (images < batchSize && reader.TryPeek(out Job? next) && next is PredictJob p
                       && p.Options == first.Options && images + p.Images.Count <= batchSize && reader.TryRead(out next))
                {
                    if (p.Cancel.IsCancellationRequested)
                    {
                        p.Result.TrySetCanceled(p.Cancel);
                        Interlocked.Decrement(ref waiting);
                        continue;
                    }
                    jobs.Add(next);
                    images += p.Images.Count;
                }
            }
            try
            {
                Run(jobs);
            }
            finally
            {
                Interlocked.Add(ref waiting, -jobs.Count);
            }
        }
    }

    private void Run(List<Job> jobs)
    {
        if (jobs[0] is not PredictJob)
        {
            jobs[0].Execute();
            return;
        }
        var predictJobs = jobs.Cast<PredictJob>().ToList();
        try
        {
            var all = predictJobs.SelectMany(j => j.Images).ToList();
            IReadOnlyList<Prediction> results = predictor.Predict(all, predictJobs[0].Options with { BatchSize = batchSize });
            int offset = 0;
            foreach (PredictJob j in predictJobs)
            {
                j.Result.TrySetResult(results.Skip(offset).Take(j.Images.Count).ToList());
                offset += j.Images.Count;
            }
        }
        catch (Exception e)
        {
            foreach (PredictJob j in predictJobs) j.Result.TrySetException(e);
        }
    }

    /// <summary>Stops accepting jobs and waits for the running ones.</summary>
    public async ValueTask DisposeAsync()
    {
        channel.Writer.TryComplete();
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private abstract class Job
    {
        public abstract void Execute();
    }

    private sealed class PredictJob(IReadOnlyList<float[]> images, PredictOptions options, CancellationToken cancel) : Job
    {
        public CancellationToken Cancel { get; } = cancel;
        public IReadOnlyList<float[]> Images { get; } = images;
        public PredictOptions Options { get; } = options;
        public TaskCompletionSource<IReadOnlyList<Prediction>> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override void Execute() => throw new InvalidOperationException("prediction jobs run batched");
    }

    private sealed class WorkJob<T>(Func<T> work) : Job
    {
        public TaskCompletionSource<T> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute()
        {
            try { Result.TrySetResult(work()); }
            catch (Exception e) { Result.TrySetException(e); }
        }
    }
}
