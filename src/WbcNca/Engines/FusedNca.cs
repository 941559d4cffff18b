using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Engines;

/// <summary>
/// The NCA backbone's forward pass (paper eq. 1–4) as one fused CPU kernel written in C#: channels-last state,
/// for each row of cells the perception (identity and the two reflect-padded depthwise 3×3 convolutions) is
/// built in a small buffer and fed to a register-blocked GEMM (Vector512, or Vector256 without AVX-512) for
/// Linear(3n→h) → ReLU → Linear(h→n), whose epilogue applies the masked update in place of the next state.
/// Cells whose mask is 0 at a step keep their state, so their update is not computed at all (half the work at
/// p = 0.5). Rows run in parallel. Inference only (no autograd); the result matches <see cref="NcaBackbone"/>
/// to float rounding.
/// </summary>
public sealed unsafe class FusedNca
{
    private const int Pad = 32;            // channel strides are padded to this (2 × Vector512<float>)
    private readonly int n, h, colorChannels, steps;
    private readonly int c;                // padded channel stride of the state and of each perception part
    private readonly int hp;               // padded hidden width
    private readonly float[] k1w, k2w;     // [tap 0..8][c]
    private readonly float[] k1b, k2b;     // [c]
    private readonly float[] w1;           // packed panels: [j-block][k < 3c][Pad]
    private readonly float[] b1;           // [hp]
    private readonly float[] w2;           // packed panels: [j-block][k < hp][Pad]
    private readonly NcaClassifier model;  // pooling and head, which stay in TorchSharp

    /// <summary>Copies the backbone's weights into the kernel's layouts.</summary>
    public FusedNca(NcaClassifier model)
    {
        this.model = model;
        NcaConfig cfg = model.Config;
        n = cfg.Channels; h = cfg.HiddenSize; colorChannels = cfg.ColorChannels; steps = cfg.Steps;
        c = RoundUp(n, Pad); hp = RoundUp(h, Pad);
        var p = model.Backbone.named_parameters().ToDictionary(t => t.name, t => t.parameter);
        float[] Get(string name) => p[name].detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        float[] k1 = Get("perception.k1.weight"), k2 = Get("perception.k2.weight"); // (n,1,3,3)
        k1w = new float[9 * c]; k2w = new float[9 * c];
        for (int ch = 0; ch < n; ch++)
            for (int tap = 0; tap < 9; tap++) { k1w[tap * c + ch] = k1[ch * 9 + tap]; k2w[tap * c + ch] = k2[ch * 9 + tap]; }
        k1b = new float[c]; k2b = new float[c];
        Get("perception.k1.bias").CopyTo(k1b, 0); Get("perception.k2.bias").CopyTo(k2b, 0);
        float[] fc1 = Get("update.fc1.weight"); // (h, 3n)
        int kz = 3 * c;
        w1 = new float[hp / Pad * kz * Pad];
        for (int j = 0; j < h; j++)
            for (int part = 0; part < 3; part++)
                for (int ch = 0; ch < n; ch++)
                    w1[(j / Pad) * kz * Pad + (part * c + ch) * Pad + j % Pad] = fc1[j * 3 * n + part * n + ch];
        b1 = new float[hp];
        Get("update.fc1.bias").CopyTo(b1, 0);
        float[] fc2 = Get("update.fc2.weight"); // (n, h)
        w2 = new float[c / Pad * hp * Pad];
        for (int ch = 0; ch < n; ch++)
            for (int j = 0; j < h; j++)
                w2[(ch / Pad) * hp * Pad + j * Pad + ch % Pad] = fc2[ch * h + j];
    }

    /// <summary>Worker threads for the row loop (default: all cores).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>A kernel whose row loop uses as many workers as libtorch's intra-op pool, so that one thread setting governs both.</summary>
    public static FusedNca WithTorchThreads(NcaClassifier model) => new(model) { Threads = Math.Max(1, torch.get_num_threads()) };

    private static int RoundUp(int v, int m) => (v + m - 1) / m * m;

    /// <summary>Runs all k steps.</summary>
    /// <param name="image">Normalised images (B, 3, H, W), float32 on the CPU.</param>
    /// <param name="masks">(k, B or 1, H, W, 1) masks, or null to update every cell.</param>
    /// <returns>Final state (B, H, W, n), like <see cref="NcaBackbone.forward"/>.</returns>
    public Tensor Forward(Tensor image, Tensor? masks)
    {
        if (image.shape[1] != colorChannels) throw new ArgumentException($"expected {colorChannels} colour channels, got {image.shape[1]}");
        using var scope = NewDisposeScope();
        Tensor seed = image.permute(0, 2, 3, 1);
        return Advance(seed, masks, 0, steps).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Class logits (B, classes): the fused backbone, then the model's max pooling and head (eq. 5–6) in TorchSharp,
    /// like <see cref="NcaClassifier.forward"/>.
    /// </summary>
    public Tensor Classify(Tensor image, Tensor? masks)
    {
        using var scope = NewDisposeScope();
        return model.Head.forward(model.Pool(Forward(image, masks))).MoveToOuterDisposeScope();   // (B, classes)
    }

    /// <summary>
    /// Runs steps <paramref name="fromStep"/> … <paramref name="fromStep"/> + <paramref name="count"/> − 1 from
    /// <paramref name="state"/> (B, H, W, n or just the colour channels, the rest then taken as zero) with masks[t];
    /// returns the new state (B, H, W, n), like repeated <see cref="NcaBackbone.Step"/>.
    /// </summary>
    public Tensor Advance(Tensor state, Tensor? masks, int fromStep, int count)
    {
        int b = (int)state.shape[0], ht = (int)state.shape[1], wd = (int)state.shape[2], given = (int)state.shape[3];
        if (given != n && given != colorChannels) throw new ArgumentException($"expected {n} or {colorChannels} channels, got {given}");
        using var scope = NewDisposeScope();
        Tensor input = state.detach().cpu().to_type(ScalarType.Float32).contiguous();
        Tensor? maskTensor = null;
        int maskBatch = 0;
        if (masks is not null)
        {
            if (masks.shape[0] < fromStep + count) throw new ArgumentException($"expected masks for {fromStep + count} steps, got {masks.shape[0]}");
            maskBatch = (int)masks.shape[1];
            maskTensor = masks.narrow(0, fromStep, count).detach().cpu().to_type(ScalarType.Float32).contiguous();
        }
        int cells = ht * wd;
        long length = (long)b * cells * c;
        float* cur = (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);
        float* next = (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);
        try
        {
            ReadOnlySpan<float> src = MemoryMarshal.Cast<byte, float>(input.bytes);
            for (long q = 0; q < (long)b * cells; q++)
            {
                src.Slice((int)(q * given), given).CopyTo(new Span<float>(cur + q * c, given));
                new Span<float>(cur + q * c + given, c - given).Clear();
            }
            float[]? maskValues = maskTensor is null ? null : MemoryMarshal.Cast<byte, float>(maskTensor.bytes).ToArray();
            fixed (float* maskBase = maskValues)
            {
                long imageLength = (long)cells * c;
                float* mb = maskBase;
                if (PerImage(b, Threads))
                {
                    // Images are independent: each worker runs all steps of whole images, no barrier per step.
                    nint pc = (nint)cur, pn = (nint)next, pm = (nint)mb;
                    Parallel.For(0, b, new ParallelOptions { MaxDegreeOfParallelism = Threads }, i =>
                    {
                        float* from = (float*)pc + i * imageLength, to = (float*)pn + i * imageLength;
                        for (int t = 0; t < count; t++)
                        {
                            float* m = pm == 0 ? null : (float*)pm + ((long)t * maskBatch + (maskBatch == 1 ? 0 : i)) * cells;
                            StepImage(from, to, m, ht, wd);
                            float* swap = from; from = to; to = swap;
                        }
                    });
                    if (count % 2 == 1) { float* swap = cur; cur = next; next = swap; }
                }
                else
                    for (int t = 0; t < count; t++)
                    {
                        StepAll(cur, next, mb == null ? null : mb + (long)t * maskBatch * cells, maskBatch, b, ht, wd);
                        float* swap = cur; cur = next; next = swap;
                    }
            }
            return ToTensor(cur, b, ht, wd).MoveToOuterDisposeScope();
        }
        finally
        {
            NativeMemory.AlignedFree(cur);
            NativeMemory.AlignedFree(next);
        }
    }

    /// <summary>The padded channel stride of the kernel's state layout.</summary>
    internal int Stride => c;

    /// <summary>The padded hidden width.</summary>
    internal int HiddenStride => hp;

    /// <summary>n, h and the number of colour channels.</summary>
    internal (int Channels, int Hidden, int Color) Shape => (n, h, colorChannels);

    /// <summary>Packed weights (see the constructor) for the backward kernel.</summary>
    internal (float[] K1w, float[] K2w, float[] K1b, float[] K2b, float[] W1, float[] B1, float[] W2) Packed => (k1w, k2w, k1b, k2b, w1, b1, w2);

    /// <summary>Copies a padded state (B·H·W cells × stride) into a (B, H, W, n) tensor.</summary>
    internal Tensor ToTensor(float* state, int b, int ht, int wd)
    {
        long cells = (long)b * ht * wd;
        Tensor result = empty([b, ht, wd, n], ScalarType.Float32);
        float[] values = GC.AllocateUninitializedArray<float>(checked((int)(cells * n)));
        for (long q = 0; q < cells; q++) new ReadOnlySpan<float>(state + q * c, n).CopyTo(values.AsSpan((int)(q * n), n));
        result.bytes = MemoryMarshal.AsBytes(values.AsSpan());
        return result;
    }

    /// <summary>
    /// Whether a batch of <paramref name="b"/> images runs image by image on <paramref name="threads"/> workers (no
    /// barrier per step) rather than row by row: when every worker gets a fair share of whole images.
    /// </summary>
    internal static bool PerImage(int b, int threads) => threads <= 1 || b >= 2 * threads || (b >= threads && b % threads == 0);

    /// <summary>Minimum multiply-adds of one step for its rows to run in parallel (smaller steps run on one thread).</summary>
    private const long ParallelStepWork = 16_000_000;

    /// <summary>One step of one image (its padded H·W·stride state and its H·W mask, or null), row by row on this thread.</summary>
    internal void StepImage(float* from, float* to, float* mask, int ht, int wd)
    {
        for (int y = 0; y < ht; y++) StepRow(from, to, mask, mask == null ? -1 : y * wd, 0, y, ht, wd);
    }

    /// <summary>
    /// One step for all B·H rows: <paramref name="to"/> = step(<paramref name="from"/>) in the padded layout;
    /// <paramref name="mask"/> points at this step's (maskBatch, H, W) masks, or is null (every cell updates).
    /// </summary>
    internal void StepAll(float* from, float* to, float* mask, int maskBatch, int b, int ht, int wd)
    {
        nint f = (nint)from, o = (nint)to, m = (nint)mask;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Threads };
        if (Threads <= 1 || b * ht == 1 || (long)b * ht * wd * (3L * c + c) * hp / 2 < ParallelStepWork)
        {
            for (int row = 0; row < b * ht; row++) Row(row);
            return;
        }
        Parallel.For(0, b * ht, options, Row);

        void Row(int row)
        {
            int i = row / ht, y = row % ht;
            int maskOffset = m == 0 ? -1 : ((maskBatch == 1 ? 0 : i) * ht + y) * wd;
            StepRow((float*)f, (float*)o, (float*)m, maskOffset, i, y, ht, wd);
        }
    }

    [ThreadStatic] private static float[]? zBuffer, hBuffer;
    [ThreadStatic] private static int[]? activeBuffer;

    private void StepRow(float* s, float* d, float* mask, int maskOffset, int i, int y, int ht, int wd)
    {
        const int mr = 8;
        int kz = 3 * c, rows = RoundUp(wd, mr);
        if (zBuffer is null || zBuffer.Length < rows * kz) zBuffer = new float[rows * kz];
        if (hBuffer is null || hBuffer.Length < rows * hp) hBuffer = new float[rows * hp];
        if (activeBuffer is null || activeBuffer.Length < wd) activeBuffer = new int[wd];
        float[] z = zBuffer, hid = hBuffer;
        int[] active = activeBuffer;
        long rowBase = ((long)i * ht + y) * wd * c;
        int count = 0;
        for (int x = 0; x < wd; x++)
        {
            if (mask == null || mask[maskOffset + x] != 0f) active[count++] = x;
            else new ReadOnlySpan<float>(s + rowBase + (long)x * c, c).CopyTo(new Span<float>(d + rowBase + (long)x * c, c));
        }
        if (count == 0) return;
        long imageBase = (long)i * ht * wd * c;
        fixed (float* zp = z, hpPtr = hid, pw1 = w1, pb1 = b1, pw2 = w2)
        {
            // Perception of the active cells: z = [s, k1 * s + b1, k2 * s + b2], reflect padding.
            for (int r = 0; r < count; r++) Perceive(s + imageBase, y, active[r], ht, wd, zp + (long)r * kz);
            int rowsUsed = RoundUp(count, mr);
            // hidden = ReLU(z · W1ᵀ + b1)
            Gemm(zp, kz, rowsUsed, pw1, hp, hpPtr, hp, pb1, relu: true, null, null, null, 0, 0);
            // next = s + m ⊙ (hidden · W2ᵀ) on the hidden channels; colour channels copied
            Gemm(hpPtr, hp, count, pw2, c, d, c, null, relu: false, s, active, mask, maskOffset, rowBase);
            for (int r = 0; r < count; r++)
            {
                long q = rowBase + (long)active[r] * c;
                for (int ch = 0; ch < colorChannels; ch++) d[q + ch] = s[q + ch];
            }
        }
    }

    /// <summary>
    /// The perception z = [s, k1 * s + b1, k2 * s + b2] (reflect padding) of cell (y, x) of one image
    /// (<paramref name="image"/>: its padded H·W·stride state) into <paramref name="z"/> (3 × stride floats).
    /// </summary>
    internal void Perceive(float* image, int y, int x, int ht, int wd, float* z)
    {
        int y0 = y == 0 ? 1 : y - 1, y2 = y == ht - 1 ? ht - 2 : y + 1;
        int x0 = x == 0 ? 1 : x - 1, x2 = x == wd - 1 ? wd - 2 : x + 1;
        fixed (float* kw1 = k1w, kw2 = k2w, kb1 = k1b, kb2 = k2b)
        {
            float* p00 = image + ((long)y0 * wd + x0) * c, p01 = image + ((long)y0 * wd + x) * c, p02 = image + ((long)y0 * wd + x2) * c;
            float* p10 = image + ((long)y * wd + x0) * c, p11 = image + ((long)y * wd + x) * c, p12 = image + ((long)y * wd + x2) * c;
            float* p20 = image + ((long)y2 * wd + x0) * c, p21 = image + ((long)y2 * wd + x) * c, p22 = image + ((long)y2 * wd + x2) * c;
            if (KernelIsa.UseVector512)
            {
                for (int ch = 0; ch < c; ch += 16)
                {
                    var v00 = Vector512.Load(p00 + ch); var v01 = Vector512.Load(p01 + ch); var v02 = Vector512.Load(p02 + ch);
                    var v10 = Vector512.Load(p10 + ch); var v11 = Vector512.Load(p11 + ch); var v12 = Vector512.Load(p12 + ch);
                    var v20 = Vector512.Load(p20 + ch); var v21 = Vector512.Load(p21 + ch); var v22 = Vector512.Load(p22 + ch);
                    v11.Store(z + ch);
                    Conv(kw1, kb1, ch, v00, v01, v02, v10, v11, v12, v20, v21, v22).Store(z + c + ch);
                    Conv(kw2, kb2, ch, v00, v01, v02, v10, v11, v12, v20, v21, v22).Store(z + 2 * c + ch);
                }
                return;
            }
            for (int ch = 0; ch < c; ch += 8)
            {
                var v00 = Vector256.Load(p00 + ch); var v01 = Vector256.Load(p01 + ch); var v02 = Vector256.Load(p02 + ch);
                var v10 = Vector256.Load(p10 + ch); var v11 = Vector256.Load(p11 + ch); var v12 = Vector256.Load(p12 + ch);
                var v20 = Vector256.Load(p20 + ch); var v21 = Vector256.Load(p21 + ch); var v22 = Vector256.Load(p22 + ch);
                v11.Store(z + ch);
                Conv(kw1, kb1, ch, v00, v01, v02, v10, v11, v12, v20, v21, v22).Store(z + c + ch);
                Conv(kw2, kb2, ch, v00, v01, v02, v10, v11, v12, v20, v21, v22).Store(z + 2 * c + ch);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<float> Conv(float* kw, float* kb, int ch,
        Vector512<float> v00, Vector512<float> v01, Vector512<float> v02, Vector512<float> v10, Vector512<float> v11,
        Vector512<float> v12, Vector512<float> v20, Vector512<float> v21, Vector512<float> v22)
    {
        float* k = kw + ch;
        Vector512<float> acc = Vector512.Load(kb + ch), acc2 = Vector512.Load(k) * v00;
        acc = Vector512.FusedMultiplyAdd(v01, Vector512.Load(k + c), acc);
        acc2 = Vector512.FusedMultiplyAdd(v02, Vector512.Load(k + 2 * c), acc2);
        acc = Vector512.FusedMultiplyAdd(v10, Vector512.Load(k + 3 * c), acc);
        acc2 = Vector512.FusedMultiplyAdd(v11, Vector512.Load(k + 4 * c), acc2);
        acc = Vector512.FusedMultiplyAdd(v12, Vector512.Load(k + 5 * c), acc);
        acc2 = Vector512.FusedMultiplyAdd(v20, Vector512.Load(k + 6 * c), acc2);
        acc = Vector512.FusedMultiplyAdd(v21, Vector512.Load(k + 7 * c), acc);
        acc2 = Vector512.FusedMultiplyAdd(v22, Vector512.Load(k + 8 * c), acc2);
        return acc + acc2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> Conv(float* kw, float* kb, int ch,
        Vector256<float> v00, Vector256<float> v01, Vector256<float> v02, Vector256<float> v10, Vector256<float> v11,
        Vector256<float> v12, Vector256<float> v20, Vector256<float> v21, Vector256<float> v22)
    {
        float* k = kw + ch;
        Vector256<float> acc = Vector256.Load(kb + ch);
        acc = Vector256.FusedMultiplyAdd(v00, Vector256.Load(k), acc);
        acc = Vector256.FusedMultiplyAdd(v01, Vector256.Load(k + c), acc);
        acc = Vector256.FusedMultiplyAdd(v02, Vector256.Load(k + 2 * c), acc);
        acc = Vector256.FusedMultiplyAdd(v10, Vector256.Load(k + 3 * c), acc);
        acc = Vector256.FusedMultiplyAdd(v11, Vector256.Load(k + 4 * c), acc);
        acc = Vector256.FusedMultiplyAdd(v12, Vector256.Load(k + 5 * c), acc);
        acc = Vector256.FusedMultiplyAdd(v20, Vector256.Load(k + 6 * c), acc);
        acc = Vector256.FusedMultiplyAdd(v21, Vector256.Load(k + 7 * c), acc);
        return Vector256.FusedMultiplyAdd(v22, Vector256.Load(k + 8 * c), acc);
    }

    /// <summary>
    /// out = A (rows × kDim, row stride lda; rows a multiple of 8) · B (packed panels of <see cref="Pad"/> columns).
    /// Plain mode (state null): out[r, j] = act(acc + bias[j]). Update mode: for r &lt; rows, the cell
    /// x = active[r] gets d[x, j] = s[x, j] + m_x · acc.
    /// </summary>
    private static void Gemm(float* a, int lda, int rows, float* b, int cols, float* o, int ldo, float* bias, bool relu,
        float* state, int[]? active, float* mask, int maskOffset, long rowBase)
    {
        int kDim = lda;
        int blockRows = (rows + 7) / 8 * 8;
        for (int jb = 0; jb < cols; jb += Pad)
        {
            float* panel = b + (long)jb * kDim;
            if (KernelIsa.UseVector512)
            {
                for (int r0 = 0; r0 < blockRows; r0 += 8)
                {
                    float* ar = a + (long)r0 * lda;
                    Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
                    Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
                    for (int k = 0; k < kDim; k++)
                    {
                        Vector512<float> b0 = Vector512.Load(panel + k * Pad), b1 = Vector512.Load(panel + k * Pad + 16);
                        Vector512<float> x;
                        x = Vector512.Create(ar[k]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
                        x = Vector512.Create(ar[lda + k]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
                        x = Vector512.Create(ar[2 * lda + k]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
                        x = Vector512.Create(ar[3 * lda + k]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
                        x = Vector512.Create(ar[4 * lda + k]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
                        x = Vector512.Create(ar[5 * lda + k]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
                        x = Vector512.Create(ar[6 * lda + k]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
                        x = Vector512.Create(ar[7 * lda + k]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
                    }
                    Store512(r0 + 0, jb, c00, c01); Store512(r0 + 1, jb, c10, c11); Store512(r0 + 2, jb, c20, c21); Store512(r0 + 3, jb, c30, c31);
                    Store512(r0 + 4, jb, c40, c41); Store512(r0 + 5, jb, c50, c51); Store512(r0 + 6, jb, c60, c61); Store512(r0 + 7, jb, c70, c71);
                }
            }
            else
            {
                for (int half = 0; half < Pad; half += 16)
                    for (int r0 = 0; r0 < blockRows; r0 += 4)
                    {
                        float* ar = a + (long)r0 * lda;
                        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
                        for (int k = 0; k < kDim; k++)
                        {
                            Vector256<float> b0 = Vector256.Load(panel + k * Pad + half), b1 = Vector256.Load(panel + k * Pad + half + 8);
                            Vector256<float> x;
                            x = Vector256.Create(ar[k]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                            x = Vector256.Create(ar[lda + k]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                            x = Vector256.Create(ar[2 * lda + k]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                            x = Vector256.Create(ar[3 * lda + k]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
                        }
                        Store256(r0 + 0, jb + half, c00, c01); Store256(r0 + 1, jb + half, c10, c11);
                        Store256(r0 + 2, jb + half, c20, c21); Store256(r0 + 3, jb + half, c30, c31);
                    }
            }
        }

        void Store512(int r, int j, Vector512<float> v0, Vector512<float> v1)
        {
            if (state is null)
            {
                v0 += Vector512.Load(bias + j); v1 += Vector512.Load(bias + j + 16);
                if (relu) { v0 = Vector512.Max(v0, Vector512<float>.Zero); v1 = Vector512.Max(v1, Vector512<float>.Zero); }
                float* dst = o + (long)r * ldo + j;
                v0.Store(dst); v1.Store(dst + 16);
                return;
            }
            if (r >= rows) return;
            int x = active![r];
            long q = rowBase + (long)x * ldo + j;
            var m = Vector512.Create(mask == null ? 1f : mask[maskOffset + x]);
            Vector512.FusedMultiplyAdd(m, v0, Vector512.Load(state + q)).Store(o + q);
            Vector512.FusedMultiplyAdd(m, v1, Vector512.Load(state + q + 16)).Store(o + q + 16);
        }

        void Store256(int r, int j, Vector256<float> v0, Vector256<float> v1)
        {
            if (state is null)
            {
                v0 += Vector256.Load(bias + j); v1 += Vector256.Load(bias + j + 8);
                if (relu) { v0 = Vector256.Max(v0, Vector256<float>.Zero); v1 = Vector256.Max(v1, Vector256<float>.Zero); }
                float* dst = o + (long)r * ldo + j;
                v0.Store(dst); v1.Store(dst + 8);
                return;
            }
            if (r >= rows) return;
            int x = active![r];
            long q = rowBase + (long)x * ldo + j;
            var m = Vector256.Create(mask == null ? 1f : mask[maskOffset + x]);
            Vector256.FusedMultiplyAdd(m, v0, Vector256.Load(state + q)).Store(o + q);
            Vector256.FusedMultiplyAdd(m, v1, Vector256.Load(state + q + 8)).Store(o + q + 8);
        }
    }
}
