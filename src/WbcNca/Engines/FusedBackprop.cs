using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Engines;

/// <summary>
/// A training step whose NCA part, forward and backward, runs on hand-written C# kernels (<see cref="FusedNca"/> and
/// <see cref="SimdGemm"/>); only pooling, head and loss use TorchSharp autograd. The forward pass keeps every
/// <c>segment</c>-th state (the rest is recomputed); the backward pass walks the steps from the last, recomputes each
/// step's perception and hidden layer from its input state and back-propagates through the masked update (colour
/// channels fixed, cells whose mask is 0 unchanged), Linear(h→n), the ReLU, Linear(3n→h) and the two reflect-padded
/// depthwise 3×3 convolutions and the identity, for the cells that updated only. Weight gradients are blocked GEMMs
/// over bands of cells, accumulated per worker thread and summed at the end.
/// The loss and gradients equal those of <c>loss(model.forward(image, masks)).backward()</c> to float rounding.
/// </summary>
public sealed unsafe class FusedBackprop : IDisposable
{
    /// <summary>Memory the kept states may use when the segment is chosen automatically (1 GiB).</summary>
    public const long DefaultCheckpointBytes = 1L << 30;

    private const int Tile = 8;
    private readonly int threads;
    private readonly List<(nint Pointer, long Floats)> blocks = [];   // native buffers, reused by the next step of the same shape
    private int used;
    private FusedNca kernel = null!;
    private int n, h, colorChannels, c, hp, kz;
    private float[] k1w = [], k2w = [], w1 = [], b1 = [];
    private float[] w1t = [];   // fc1 transposed: panels [col / 32][j < hp][32], col < 3c
    private float[] w2t = [];   // fc2 transposed: panels [j / 32][ch < c][32], j < hp

    /// <summary>
    /// Creates an engine whose buffers (states, gradients, scratch) are kept from one training step to the next of the
    /// same shape, so that a training loop does not fault fresh memory in at every batch. Dispose it to free them.
    /// </summary>
    /// <param name="threads">Worker threads (0: libtorch's thread count at each step).</param>
    public FusedBackprop(int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        this.threads = threads;
    }

    /// <summary>Frees the kept buffers.</summary>
    public void Dispose()
    {
        foreach (var (pointer, _) in blocks) NativeMemory.AlignedFree((void*)pointer);
        blocks.Clear();
    }

    // The next buffer of at least `floats` floats, in the order of the previous step (reused when large enough).
    private nint Take(long floats)
    {
        floats = Math.Max(1, floats);
        if (used == blocks.Count) blocks.Add((0, 0));
        var (pointer, size) = blocks[used];
        if (size < floats)
        {
            NativeMemory.AlignedFree((void*)pointer);
            pointer = (nint)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
            blocks[used] = (pointer, floats);
        }
        used++;
        return pointer;
    }

    private void Load(FusedNca kernel)
    {
        this.kernel = kernel;
        (n, h, colorChannels) = kernel.Shape;
        c = kernel.Stride; hp = kernel.HiddenStride; kz = 3 * c;
        float[] w2;
        float[] k1b, k2b;
        (k1w, k2w, k1b, k2b, w1, b1, w2) = kernel.Packed;
        const int p = SimdGemm.Panel;
        w1t = new float[kz / p * hp * p];
        for (int j = 0; j < hp; j++)
            for (int col = 0; col < kz; col++)
                w1t[col / p * hp * p + j * p + col % p] = w1[j / p * kz * p + col * p + j % p];
        w2t = new float[hp / p * c * p];
        for (int ch = 0; ch < c; ch++)
            for (int j = 0; j < hp; j++)
                w2t[j / p * c * p + ch * p + j % p] = w2[ch / p * hp * p + j * p + ch % p];
    }

    /// <summary>
    /// Computes the loss of <paramref name="model"/> on <paramref name="image"/> and accumulates its gradient into the
    /// parameters' <c>grad</c> (like <c>backward()</c>, it adds to existing gradients). CPU, float32.
    /// </summary>
    /// <param name="model">The classifier (its parameters require grad).</param>
    /// <param name="image">Normalised images (B, 3, H, W).</param>
    /// <param name="masks">(k, B or 1, H, W, 1) update masks, or null to update every cell.</param>
    /// <param name="loss">Maps the (B, classes) logits to a scalar loss.</param>
    /// <param name="segment">Keep every segment-th state (1 keeps all, the fastest); 0 chooses the smallest segment whose
    /// kept states fit in <see cref="DefaultCheckpointBytes"/>.</param>
    /// <param name="threads">Worker threads (0: libtorch's thread count).</param>
    /// <returns>The detached scalar loss and the detached logits (B, classes).</returns>
    public static (Tensor Loss, Tensor Logits) LossAndBackward(NcaClassifier model, Tensor image, Tensor? masks, Func<Tensor, Tensor> loss, int segment = 0, int threads = 0)
    {
        using var engine = new FusedBackprop(threads);
        return engine.Step(model, image, masks, loss, segment);
    }

    /// <summary>
    /// Like <see cref="LossAndBackward"/>, with this engine's threads and kept buffers.
    /// </summary>
    /// <param name="model">The classifier (its parameters require grad).</param>
    /// <param name="image">Normalised images (B, 3, H, W).</param>
    /// <param name="masks">(k, B or 1, H, W, 1) update masks, or null to update every cell.</param>
    /// <param name="loss">Maps the (B, classes) logits to a scalar loss.</param>
    /// <param name="segment">Keep every segment-th state (0: automatic, see <see cref="AutoSegment"/>).</param>
    /// <returns>The detached scalar loss and the detached logits (B, classes).</returns>
    public (Tensor Loss, Tensor Logits) Step(NcaClassifier model, Tensor image, Tensor? masks, Func<Tensor, Tensor> loss, int segment = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(segment);
        if (image.device.type != DeviceType.CPU) throw new ArgumentException("the fused engine runs on the CPU only");
        int steps = model.Config.Steps;
        if (masks is not null && masks.shape[0] < steps)
            throw new ArgumentException($"expected masks for {steps} steps, got {masks.shape[0]}");
        int workers = threads > 0 ? threads : Math.Max(1, get_num_threads());
        Load(new FusedNca(model) { Threads = workers });
        used = 0;
        return Run(model, image, masks, loss, segment, workers);
    }

    /// <summary>The automatic segment for a batch of <paramref name="batch"/> images: the smallest whose kept states fit in <see cref="DefaultCheckpointBytes"/>.</summary>
    public static int AutoSegment(NcaConfig config, int batch)
    {
        long stateBytes = (long)batch * config.ImageSize * config.ImageSize * ((config.Channels + SimdGemm.Panel - 1) / SimdGemm.Panel * SimdGemm.Panel) * sizeof(float);
        long all = stateBytes * config.Steps;
        return (int)Math.Clamp((all + DefaultCheckpointBytes - 1) / DefaultCheckpointBytes, 1, Math.Max(1, config.Steps));
    }

    private (Tensor Loss, Tensor Logits) Run(NcaClassifier model, Tensor image, Tensor? masks, Func<Tensor, Tensor> loss, int segment, int threads)
    {
        NcaConfig config = model.Config;
        int steps = config.Steps;
        int b = (int)image.shape[0], ht = (int)image.shape[2], wd = (int)image.shape[3];
        if (image.shape[1] != colorChannels) throw new ArgumentException($"expected {colorChannels} colour channels, got {image.shape[1]}");
        if (segment == 0) segment = AutoSegment(config, b);
        int cells = ht * wd;
        long stateLength = (long)b * cells * c;
        using var scope = NewDisposeScope();

        int kept = steps == 0 ? 1 : (steps + segment - 1) / segment;
        int temps = Math.Max(0, Math.Min(segment, steps) - 1);
        long imageLength = (long)cells * c;
        bool perImage = FusedNca.PerImage(b, threads);
        int workers = perImage ? Math.Min(threads, b) : 1;
        var checkpoints = new float*[kept];
        for (int k = 0; k < kept; k++) checkpoints[k] = (float*)Take(stateLength);
        float* final = (float*)Take(stateLength);
        Seed(image, checkpoints[0], b, cells);
        float* maskBase = null;
        int maskBatch = 0;
        if (masks is not null)
        {
            maskBatch = (int)masks.shape[1];
            using Tensor m = masks.narrow(0, 0, steps).detach().cpu().to_type(ScalarType.Float32).contiguous();
            ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(m.bytes);
            maskBase = (float*)Take(values.Length);
            values.CopyTo(new Span<float>(maskBase, values.Length));
        }
        // Per worker (image by image) or for the whole batch (row by row): the recomputed states of a segment,
        // the state gradients and the perception gradients of the convolution parts.
        long unit = perImage ? imageLength : stateLength;
        var temp = new float*[workers, Math.Max(1, temps + 1)];
        var gIn = new float*[workers];
        var gOut = new float*[workers];
        var gConv = new float*[workers];
        for (int w = 0; w < workers; w++)
        {
            for (int k = 0; k <= temps; k++) temp[w, k] = (float*)Take(unit);
            gIn[w] = (float*)Take(unit); gOut[w] = (float*)Take(unit); gConv[w] = perImage ? null : (float*)Take(2 * unit);
        }
        var context = new StepContext(this, perImage ? 1 : b, ht, wd, perImage ? 1 : threads, config.UpdateProbability, workers, perImage ? b : 0, Take);
        nint mbase = (nint)maskBase;
        float* MaskAt(int t, int i) => mbase == 0 ? null : (float*)mbase + ((long)t * maskBatch + (maskBatch == 1 ? 0 : i)) * cells;
        // Image i's (or, i = -1, the batch's) state after t steps, as far as it is kept.
        float* StateAt(int t, int w, int i)
        {
            long offset = i < 0 ? 0 : i * imageLength;
            return t == steps ? final + offset : t % segment == 0 ? checkpoints[t / segment] + offset : temp[w, t % segment - 1];
        }

        if (perImage)
        {
            // Forward: each worker runs whole images; the states between kept ones go to its own buffers.
            int nextImage = -1;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                for (int i; (i = Interlocked.Increment(ref nextImage)) < b;)
                    for (int t = 0; t < steps; t++) kernel.StepImage(StateAt(t, w, i), StateAt(t + 1, w, i), MaskAt(t, i), ht, wd);
            });
        }
        else
        {
            for (int t = 0; t < steps; t++)
                kernel.StepAll(StateAt(t, 0, -1), StateAt(t + 1, 0, -1), MaskAt(t, 0), maskBatch, b, ht, wd);
        }
        if (steps == 0) Buffer.MemoryCopy(checkpoints[0], final, stateLength * sizeof(float), stateLength * sizeof(float));

        // Pooling, head and loss with autograd; their gradient is the final state's gradient.
        Tensor finalLeaf = kernel.ToTensor(final, b, ht, wd).requires_grad_(true);
        Tensor logits = model.Head.forward(model.Pool(finalLeaf));
        Tensor lossValue = loss(logits);
        lossValue.backward();
        float* gFinal = final;   // the final state is no longer needed
        using (Tensor g = finalLeaf.grad!.detach().contiguous())
        {
            ReadOnlySpan<float> gv = MemoryMarshal.Cast<byte, float>(g.bytes);
            for (long q = 0; q < (long)b * cells; q++)
            {
                gv.Slice((int)(q * n), n).CopyTo(new Span<float>(gFinal + q * c, n));
                new Span<float>(gFinal + q * c + n, c - n).Clear();
            }
        }

        // Backward, segment by segment from the last: recompute the segment's states, then its steps in reverse.
        void Backward(int w, int i)
        {
            long offset = i < 0 ? 0 : i * imageLength;
            Buffer.MemoryCopy(gFinal + offset, gIn[w], unit * sizeof(float), unit * sizeof(float));
            for (int s = kept - 1; s >= 0; s--)
            {
                int start = s * segment, end = Math.Min(steps, start + segment);
                for (int t = start + 1; t < end; t++)
                {
                    if (i >= 0) kernel.StepImage(StateAt(t - 1, w, i), StateAt(t, w, i), MaskAt(t - 1, i), ht, wd);
                    else kernel.StepAll(StateAt(t - 1, w, i), StateAt(t, w, i), MaskAt(t - 1, 0), maskBatch, b, ht, wd);
                }
                for (int t = end - 1; t >= start; t--)
                {
                    float* state = StateAt(t, w, i);
                    if (i >= 0) context.BackwardImage(w, i, state, MaskAt(t, i), gIn[w], gOut[w]);
                    else context.Backward(state, MaskAt(t, 0), maskBatch, gIn[w], gOut[w], gConv[w]);
                    float* swap = gIn[w]; gIn[w] = gOut[w]; gOut[w] = swap;
                }
            }
        }
        if (perImage)
        {
            int next = -1;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                for (int i; (i = Interlocked.Increment(ref next)) < b;) Backward(w, i);
            });
        }
        else Backward(0, -1);
        context.AddGradients(model.Backbone);
        return (lossValue.detach().MoveToOuterDisposeScope(), logits.detach().MoveToOuterDisposeScope());
    }

    private void Seed(Tensor image, float* state, int b, int cells)
    {
        using Tensor x = image.detach().cpu().to_type(ScalarType.Float32).permute(0, 2, 3, 1).contiguous();
        ReadOnlySpan<float> src = MemoryMarshal.Cast<byte, float>(x.bytes);
        for (long q = 0; q < (long)b * cells; q++)
        {
            src.Slice((int)(q * colorChannels), colorChannels).CopyTo(new Span<float>(state + q * c, colorChannels));
            new Span<float>(state + q * c + colorChannels, c - colorChannels).Clear();
        }
    }

    /// <summary>
    /// Buffers and partition of one backward pass: scratch buffers per worker, gradient accumulators per image (image by
    /// image) or per band of rows (whole batch), summed in a fixed order at the end, so that the gradients do not depend
    /// on which worker ran what.
    /// </summary>
    private sealed class StepContext
    {
        private readonly FusedBackprop k;
        private readonly int b, ht, wd, cells, workers, sets, bandRows, bandsPerImage, bands, rowsMax;
        private readonly int[][] yPairs, xPairs;   // per coordinate: (source coordinate · 3 + kernel offset) pairs that read it
        private readonly float*[] z, a, gd, gp, gz, gW1, gb1, gW2, gk1, gk2, gkb1, gkb2, mv;
        private readonly int*[] activeCells, neighbours;

        public StepContext(FusedBackprop k, int b, int ht, int wd, int threads, double p, int workerCount, int imageSets, Func<long, nint> alloc)
        {
            this.k = k; this.b = b; this.ht = ht; this.wd = wd; cells = ht * wd;
            // Bands of rows with about 128 updating cells each (GEMMs over K = cells), at least 4 bands per worker.
            bandRows = Math.Clamp((int)Math.Ceiling(128 / (wd * Math.Max(p, 0.05))), 1, ht);
            while (bandRows > 1 && b * ((ht + bandRows - 1) / bandRows) < 4 * threads) bandRows--;
            bandsPerImage = (ht + bandRows - 1) / bandRows;
            bands = b * bandsPerImage;
            workers = Math.Max(workerCount, Math.Min(threads, bands));
            sets = imageSets > 0 ? imageSets : bands;
            rowsMax = (bandRows * wd + Tile - 1) / Tile * Tile;
            yPairs = Pairs(ht); xPairs = Pairs(wd);
            z = new float*[workers]; a = new float*[workers]; gd = new float*[workers]; gp = new float*[workers]; gz = new float*[workers];
            gW1 = new float*[sets]; gb1 = new float*[sets]; gW2 = new float*[sets];
            gk1 = new float*[sets]; gk2 = new float*[sets]; gkb1 = new float*[sets]; gkb2 = new float*[sets];
            mv = new float*[workers]; activeCells = new int*[workers]; neighbours = new int*[workers];
            float* Zeroed(long floats)
            {
                float* ptr = (float*)alloc(floats);
                new Span<float>(ptr, checked((int)floats)).Clear();
                return ptr;
            }
            for (int w = 0; w < workers; w++)
            {
                z[w] = Zeroed((long)rowsMax * k.kz); a[w] = Zeroed((long)rowsMax * k.hp); gd[w] = Zeroed((long)rowsMax * k.c);
                gp[w] = Zeroed((long)rowsMax * k.hp); gz[w] = Zeroed((long)rowsMax * k.kz);
                mv[w] = Zeroed(rowsMax); activeCells[w] = (int*)Zeroed(rowsMax); neighbours[w] = (int*)Zeroed(9L * rowsMax);
            }
            for (int set = 0; set < sets; set++)
            {
                gW1[set] = Zeroed((long)k.hp * k.kz); gb1[set] = Zeroed(k.hp); gW2[set] = Zeroed((long)k.c * k.hp);
                gk1[set] = Zeroed(9L * k.c); gk2[set] = Zeroed(9L * k.c); gkb1[set] = Zeroed(k.c); gkb2[set] = Zeroed(k.c);
            }
        }

        // For each coordinate q of a side of length len: the (p, o) with source(p, o) = q, where source is the
        // reflect-padded neighbour at kernel offset o ∈ {0, 1, 2} (−1, 0, +1) used by the forward pass.
        private static int[][] Pairs(int len)
        {
            var lists = new List<int>[len];
            for (int q = 0; q < len; q++) lists[q] = [];
            for (int p = 0; p < len; p++)
                for (int o = 0; o < 3; o++)
                {
                    int src = o == 0 ? (p == 0 ? 1 : p - 1) : o == 1 ? p : (p == len - 1 ? len - 2 : p + 1);
                    lists[src].Add(p * 3 + o);
                }
            return lists.Select(l => l.ToArray()).ToArray();
        }

        /// <summary>gOut = ∂L/∂s_t from gIn = ∂L/∂s_{t+1} for the whole batch, bands of rows in parallel; accumulates the weight gradients.</summary>
        public void Backward(float* state, float* mask, int maskBatch, float* gIn, float* gOut, float* gConv)
        {
            nint s = (nint)state, m = (nint)mask, gi = (nint)gIn, go = (nint)gOut, gc = (nint)gConv;
            int next = -1;
            var options = new ParallelOptions { MaxDegreeOfParallelism = workers };
            Parallel.For(0, workers, options, w =>
            {
                for (int band; (band = Interlocked.Increment(ref next)) < bands;)
                {
                    var (i, y0, y1, offset) = Band(band);
                    Rule(w, band, y0, y1, (float*)s + offset, MaskOf((float*)m, maskBatch, i), (float*)gi + offset, (float*)go + offset, (float*)gc + 2 * offset);
                }
            });
            next = -1;
            Parallel.For(0, workers, options, w =>
            {
                for (int band; (band = Interlocked.Increment(ref next)) < bands;)
                {
                    var (i, y0, y1, offset) = Band(band);
                    ConvTranspose(y0, y1, MaskOf((float*)m, maskBatch, i), (float*)go + offset, (float*)gc + 2 * offset);
                }
            });
        }

        /// <summary>The same for one image (its state, mask and gradients) on this thread (worker <paramref name="w"/>), into the image's accumulators.</summary>
        public void BackwardImage(int w, int image, float* state, float* mask, float* gIn, float* gOut)
        {
            // The direct path for every cell (hidden channels pass through; colour channels are reset), then the rule's
            // backward adds the rest, scattering the transposed convolutions (no other thread writes this image).
            int c = k.c, colour = k.colorChannels;
            Buffer.MemoryCopy(gIn, gOut, (long)cells * c * sizeof(float), (long)cells * c * sizeof(float));
            for (long q = 0; q < (long)cells * c; q += c)
                for (int ch = 0; ch < colour; ch++) gOut[q + ch] = 0f;
            for (int y0 = 0; y0 < ht; y0 += bandRows) Rule(w, image, y0, Math.Min(ht, y0 + bandRows), state, mask, gIn, gOut, null);
        }

        private (int Image, int Y0, int Y1, long Offset) Band(int band)
        {
            int i = band / bandsPerImage, y0 = band % bandsPerImage * bandRows;
            return (i, y0, Math.Min(ht, y0 + bandRows), (long)i * cells * k.c);
        }

        private float* MaskOf(float* mask, int maskBatch, int i) => mask == null ? null : mask + (long)(maskBatch == 1 ? 0 : i) * cells;

        // Phase 1 for one band: the rule's backward for its updating cells.
        // (state, mask, gradients: one image's.)
        // With gConv null (one image on one thread), gOut already holds the direct path and the transposed convolutions
        // are scattered into it here; otherwise the cells' perception gradients go to gConv for ConvTranspose.
        private void Rule(int w, int set, int y0, int y1, float* image, float* maskImage, float* gIn, float* gOut, float* gConv)
        {
            bool scatter = gConv == null;
            int c = k.c, hp = k.hp, kz = k.kz, colour = k.colorChannels;
            int* act = activeCells[w];
            float* mval = mv[w];
            int count = 0;
            for (int cell = y0 * wd; cell < y1 * wd; cell++)
            {
                float mc = maskImage == null ? 1f : maskImage[cell];
                long q = (long)cell * c;
                if (mc != 0f) { act[count] = cell; mval[count] = mc; count++; continue; }
                if (scatter) continue;
                // A cell that keeps its state passes the hidden channels' gradient straight through.
                Buffer.MemoryCopy(gIn + q, gOut + q, c * sizeof(float), c * sizeof(float));
                for (int ch = 0; ch < colour; ch++) gOut[q + ch] = 0f;
            }
            if (count == 0) return;
            int rows = (count + Tile - 1) / Tile * Tile;
            float* zw = z[w], aw = a[w], gdw = gd[w], gpw = gp[w], gzw = gz[w];
            for (int r = 0; r < count; r++)
            {
                int cell = act[r];
                k.kernel.Perceive(image, cell / wd, cell % wd, ht, wd, zw + (long)r * kz);
                float* src = gIn + (long)cell * c;
                float* dst = gdw + (long)r * c;
                var mvec = Vector256.Create(mval[r]);
                for (int ch = 0; ch < c; ch += 8) (Vector256.Load(src + ch) * mvec).Store(dst + ch);
                for (int ch = 0; ch < colour; ch++) dst[ch] = 0f;   // colour channels are reset, not updated
            }
            for (int r = count; r < rows; r++) new Span<float>(gdw + (long)r * c, c).Clear();
            const int p = SimdGemm.Panel;
            fixed (float* pw1 = k.w1, pb1 = k.b1, pw1t = k.w1t, pw2t = k.w2t)
            {
                // Recompute: hidden = ReLU(z W1ᵀ + b1).
                SimdGemm.Run(zw, kz, 1, rows, pw1, p, (long)kz * p, kz, hp, aw, hp, GemmEpilogue.BiasRelu, pb1);
                // ∂L/∂pre = (gΔ W2) ⊙ [hidden > 0].
                SimdGemm.Run(gdw, c, 1, rows, pw2t, p, (long)c * p, c, hp, gpw, hp, GemmEpilogue.GatePositive, aw, hp);
                // ∂L/∂W2 += gΔᵀ hidden; ∂L/∂W1 += (∂L/∂pre)ᵀ z; ∂L/∂b1 += Σ ∂L/∂pre.
                SimdGemm.Run(gdw, 1, c, c, aw, hp, p, count, hp, gW2[set], hp, GemmEpilogue.Accumulate);
                SimdGemm.Run(gpw, 1, hp, hp, zw, kz, p, count, kz, gW1[set], kz, GemmEpilogue.Accumulate);
                // ∂L/∂z = (∂L/∂pre) W1.
                SimdGemm.Run(gpw, hp, 1, rows, pw1t, p, (long)hp * p, hp, kz, gzw, kz, GemmEpilogue.Store);
            }
            float* bias = gb1[set];
            for (int r = 0; r < count; r++)
                for (int j = 0; j < hp; j += 8)
                    (Vector256.Load(bias + j) + Vector256.Load(gpw + (long)r * hp + j)).Store(bias + j);

            float* g1 = gk1[set], g2 = gk2[set], gb1c = gkb1[set], gb2c = gkb2[set];
            for (int r = 0; r < count; r++)
            {
                int cell = act[r], y = cell / wd, x = cell % wd;
                long q = (long)cell * c;
                float* zr = gzw + (long)r * kz;
                if (scatter)
                    for (int ch = 0; ch < c; ch += 8) (Vector256.Load(gOut + q + ch) + Vector256.Load(zr + ch)).Store(gOut + q + ch);
                else
                {
                    float* gcv = gConv + (long)cell * 2 * c;
                    for (int ch = 0; ch < c; ch += 8)
                    {
                        (Vector256.Load(gIn + q + ch) + Vector256.Load(zr + ch)).Store(gOut + q + ch);
                        Vector256.Load(zr + c + ch).Store(gcv + ch);
                        Vector256.Load(zr + 2 * c + ch).Store(gcv + c + ch);
                    }
                    for (int ch = 0; ch < colour; ch++) gOut[q + ch] = zr[ch];   // the colour channels' direct path is cut
                }
                // Neighbours (reflect padding) of the cell at the nine taps, for the convolutions' weight gradients.
                int ya = y == 0 ? 1 : y - 1, yc = y == ht - 1 ? ht - 2 : y + 1;
                int xa = x == 0 ? 1 : x - 1, xc = x == wd - 1 ? wd - 2 : x + 1;
                int* nbr = neighbours[w] + r * 9;
                for (int tap = 0; tap < 9; tap++)
                    nbr[tap] = (tap / 3 == 0 ? ya : tap / 3 == 1 ? y : yc) * wd + (tap % 3 == 0 ? xa : tap % 3 == 1 ? x : xc);
                for (int ch = 0; ch < c; ch += 8)
                {
                    (Vector256.Load(gb1c + ch) + Vector256.Load(zr + c + ch)).Store(gb1c + ch);
                    (Vector256.Load(gb2c + ch) + Vector256.Load(zr + 2 * c + ch)).Store(gb2c + ch);
                }
            }
            ConvWeightGrads(count, neighbours[w], image, gzw, g1, g2);
            if (scatter) ScatterConv(count, neighbours[w], gzw, gOut);
        }

        // gOut[neighbour(r, tap)] += k1[tap] ⊙ ∂L/∂(k1 * s)[r] + k2[tap] ⊙ ∂L/∂(k2 * s)[r]: the transposed convolutions.
        private void ScatterConv(int count, int* nbr, float* gzw, float* gOut)
        {
            int c = k.c, kz = k.kz;
            fixed (float* kw1 = k.k1w, kw2 = k.k2w)
                for (int r = 0; r < count; r++)
                {
                    float* z1 = gzw + (long)r * kz + c, z2 = z1 + c;
                    for (int tap = 0; tap < 9; tap++)
                    {
                        float* go = gOut + (long)nbr[r * 9 + tap] * c;
                        float* w1p = kw1 + tap * c, w2p = kw2 + tap * c;
                        if (KernelIsa.UseVector512)
                            for (int ch = 0; ch < c; ch += 16)
                                Vector512.FusedMultiplyAdd(Vector512.Load(w2p + ch), Vector512.Load(z2 + ch),
                                    Vector512.FusedMultiplyAdd(Vector512.Load(w1p + ch), Vector512.Load(z1 + ch), Vector512.Load(go + ch))).Store(go + ch);
                        else
                            for (int ch = 0; ch < c; ch += 8)
                                Vector256.FusedMultiplyAdd(Vector256.Load(w2p + ch), Vector256.Load(z2 + ch),
                                    Vector256.FusedMultiplyAdd(Vector256.Load(w1p + ch), Vector256.Load(z1 + ch), Vector256.Load(go + ch))).Store(go + ch);
                    }
                }
        }

        // ∂L/∂k[tap, ch] += Σ_r ∂L/∂(k * s)[r, ch] · s[neighbour(r, tap), ch] for both kernels, accumulated in registers.
        private void ConvWeightGrads(int count, int* nbr, float* image, float* gzw, float* g1, float* g2)
        {
            int c = k.c, kz = k.kz;
            for (int tap = 0; tap < 9; tap++)
            {
                float* t1 = g1 + tap * c, t2 = g2 + tap * c;
                if (KernelIsa.UseVector512)
                    for (int ch = 0; ch < c; ch += 16)
                    {
                        Vector512<float> a1 = Vector512.Load(t1 + ch), a2 = Vector512.Load(t2 + ch), b1 = default, b2 = default;
                        int r = 0;
                        for (; r + 1 < count; r += 2)
                        {
                            var v = Vector512.Load(image + (long)nbr[r * 9 + tap] * c + ch);
                            var u = Vector512.Load(image + (long)nbr[r * 9 + 9 + tap] * c + ch);
                            float* zr = gzw + (long)r * kz + ch;
                            a1 = Vector512.FusedMultiplyAdd(Vector512.Load(zr + c), v, a1);
                            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(zr + 2 * c), v, a2);
                            b1 = Vector512.FusedMultiplyAdd(Vector512.Load(zr + kz + c), u, b1);
                            b2 = Vector512.FusedMultiplyAdd(Vector512.Load(zr + kz + 2 * c), u, b2);
                        }
                        if (r < count)
                        {
                            var v = Vector512.Load(image + (long)nbr[r * 9 + tap] * c + ch);
                            float* zr = gzw + (long)r * kz + ch;
                            a1 = Vector512.FusedMultiplyAdd(Vector512.Load(zr + c), v, a1);
                            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(zr + 2 * c), v, a2);
                        }
                        (a1 + b1).Store(t1 + ch); (a2 + b2).Store(t2 + ch);
                    }
                else
                    for (int ch = 0; ch < c; ch += 8)
                    {
                        Vector256<float> a1 = Vector256.Load(t1 + ch), a2 = Vector256.Load(t2 + ch), b1 = default, b2 = default;
                        int r = 0;
                        for (; r + 1 < count; r += 2)
                        {
                            var v = Vector256.Load(image + (long)nbr[r * 9 + tap] * c + ch);
                            var u = Vector256.Load(image + (long)nbr[r * 9 + 9 + tap] * c + ch);
                            float* zr = gzw + (long)r * kz + ch;
                            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(zr + c), v, a1);
                            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(zr + 2 * c), v, a2);
                            b1 = Vector256.FusedMultiplyAdd(Vector256.Load(zr + kz + c), u, b1);
                            b2 = Vector256.FusedMultiplyAdd(Vector256.Load(zr + kz + 2 * c), u, b2);
                        }
                        if (r < count)
                        {
                            var v = Vector256.Load(image + (long)nbr[r * 9 + tap] * c + ch);
                            float* zr = gzw + (long)r * kz + ch;
                            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(zr + c), v, a1);
                            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(zr + 2 * c), v, a2);
                        }
                        (a1 + b1).Store(t1 + ch); (a2 + b2).Store(t2 + ch);
                    }
            }
        }

        // Phase 2 for one band: the transposed depthwise convolutions, gathered from the updating neighbours.
        private void ConvTranspose(int y0, int y1, float* maskImage, float* gOut, float* gConv)
        {
            int c = k.c;
            Span<int> from = stackalloc int[25];
            Span<int> taps = stackalloc int[25];
            fixed (float* kw1 = k.k1w, kw2 = k.k2w)
                for (int y = y0; y < y1; y++)
                    for (int x = 0; x < wd; x++)
                    {
                        int pairs = 0;
                        foreach (int py in yPairs[y])
                            foreach (int px in xPairs[x])
                            {
                                int cell = py / 3 * wd + px / 3;
                                if (maskImage != null && maskImage[cell] == 0f) continue;
                                from[pairs] = cell; taps[pairs] = py % 3 * 3 + px % 3; pairs++;
                            }
                        if (pairs == 0) continue;
                        float* go = gOut + ((long)y * wd + x) * c;
                        float* gcImage = gConv;
                        if (KernelIsa.UseVector512)
                            for (int ch = 0; ch < c; ch += 16)
                            {
                                Vector512<float> acc = Vector512.Load(go + ch), acc2 = default;
                                for (int e = 0; e < pairs; e++)
                                {
                                    float* g = gcImage + (long)from[e] * 2 * c + ch;
                                    int tap = taps[e] * c + ch;
                                    acc = Vector512.FusedMultiplyAdd(Vector512.Load(kw1 + tap), Vector512.Load(g), acc);
                                    acc2 = Vector512.FusedMultiplyAdd(Vector512.Load(kw2 + tap), Vector512.Load(g + c), acc2);
                                }
                                (acc + acc2).Store(go + ch);
                            }
                        else
                            for (int ch = 0; ch < c; ch += 8)
                            {
                                Vector256<float> acc = Vector256.Load(go + ch), acc2 = default;
                                for (int e = 0; e < pairs; e++)
                                {
                                    float* g = gcImage + (long)from[e] * 2 * c + ch;
                                    int tap = taps[e] * c + ch;
                                    acc = Vector256.FusedMultiplyAdd(Vector256.Load(kw1 + tap), Vector256.Load(g), acc);
                                    acc2 = Vector256.FusedMultiplyAdd(Vector256.Load(kw2 + tap), Vector256.Load(g + c), acc2);
                                }
                                (acc + acc2).Store(go + ch);
                            }
                    }
        }

        /// <summary>Sums the accumulators in order and adds them to the backbone parameters' gradients.</summary>
        public void AddGradients(NcaBackbone backbone)
        {
            int n = k.n, h = k.h, c = k.c, hp = k.hp, kz = k.kz;
            float[] fc1 = new float[h * 3 * n], bias1 = new float[h], fc2 = new float[n * h];
            float[] k1 = new float[n * 9], k2 = new float[n * 9], kb1 = new float[n], kb2 = new float[n];
            for (int w = 0; w < sets; w++)
            {
                for (int j = 0; j < h; j++)
                {
                    bias1[j] += gb1[w][j];
                    for (int part = 0; part < 3; part++)
                        for (int ch = 0; ch < n; ch++) fc1[j * 3 * n + part * n + ch] += gW1[w][(long)j * kz + part * c + ch];
                }
                for (int ch = 0; ch < n; ch++)
                {
                    for (int j = 0; j < h; j++) fc2[ch * h + j] += gW2[w][(long)ch * hp + j];
                    for (int tap = 0; tap < 9; tap++) { k1[ch * 9 + tap] += gk1[w][tap * c + ch]; k2[ch * 9 + tap] += gk2[w][tap * c + ch]; }
                    kb1[ch] += gkb1[w][ch]; kb2[ch] += gkb2[w][ch];
                }
            }
            var grads = new Dictionary<string, (float[] Values, long[] Shape)>
            {
                ["perception.k1.weight"] = (k1, [n, 1, 3, 3]), ["perception.k1.bias"] = (kb1, [n]),
                ["perception.k2.weight"] = (k2, [n, 1, 3, 3]), ["perception.k2.bias"] = (kb2, [n]),
                ["update.fc1.weight"] = (fc1, [h, 3 * n]), ["update.fc1.bias"] = (bias1, [h]),
                ["update.fc2.weight"] = (fc2, [n, h]),
            };
            foreach (var (name, parameter) in backbone.named_parameters())
            {
                if (!grads.TryGetValue(name, out var g)) throw new InvalidOperationException($"no fused gradient for {name}");
                if (!parameter.requires_grad) continue;
                using Tensor value = tensor(g.Values, g.Shape).to(parameter.dtype);
                parameter.backward([value]);   // a leaf's backward adds the gradient to .grad
            }
        }
    }
}
