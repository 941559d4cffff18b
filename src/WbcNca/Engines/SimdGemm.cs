using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace WbcNca.Engines;

/// <summary>What <see cref="SimdGemm.Run"/> does with each result element.</summary>
internal enum GemmEpilogue
{
    /// <summary>C = A·B.</summary>
    Store,

    /// <summary>C = max(A·B + bias, 0), bias indexed by column.</summary>
    BiasRelu,

    /// <summary>C = A·B where the gate matrix is positive, else 0 (the ReLU's backward).</summary>
    GatePositive,

    /// <summary>C += A·B (gradient accumulation).</summary>
    Accumulate,
}

/// <summary>
/// A register-blocked single-precision GEMM for the fused NCA kernels: C (rows × cols) = A (rows × k) · B (k × cols)
/// with strided operands, so that transposed operands need no copy. The micro-kernel keeps an 8 × 32 tile of C in 16
/// Vector512 registers (a 4 × 16 tile in 8 Vector256 registers where AVX-512 is absent); A is read by broadcasts,
/// B by rows of 32 consecutive floats.
/// </summary>
internal static unsafe class SimdGemm
{
    /// <summary>Columns per B panel (two Vector512).</summary>
    public const int Panel = 32;

    /// <summary>
    /// C[r, j] (op)= Σ_k A[r·aRow + k·aK] · B[(j / 32)·bPanel + k·bK + j % 32] for r &lt; <paramref name="rows"/> (a
    /// multiple of 8) and j &lt; <paramref name="cols"/> (a multiple of 32); C[r, j] is at c[r·ldc + j], the epilogue's
    /// bias at extra[j], its gate at extra[r·ldx + j].
    /// </summary>
    public static void Run(float* a, long aRow, long aK, int rows, float* b, long bK, long bPanel, int kDim, int cols,
        float* c, long ldc, GemmEpilogue epilogue, float* extra = null, long ldx = 0)
    {
        if (KernelIsa.UseVector512) Run512(a, aRow, aK, rows, b, bK, bPanel, kDim, cols, c, ldc, epilogue, extra, ldx);
        else Run256(a, aRow, aK, rows, b, bK, bPanel, kDim, cols, c, ldc, epilogue, extra, ldx);
    }

    /// <summary>The Vector256 path (the fallback without AVX-512).</summary>
    internal static void Run256(float* a, long aRow, long aK, int rows, float* b, long bK, long bPanel, int kDim, int cols,
        float* c, long ldc, GemmEpilogue epilogue, float* extra, long ldx)
    {
        for (int jb = 0; jb < cols; jb += Panel)
            for (int half = 0; half < Panel; half += 16)
            {
                float* panel = b + jb / Panel * bPanel + half;
                for (int r0 = 0; r0 < rows; r0 += 4)
                {
                    float* a0 = a + r0 * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
                    Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
                    float* bp = panel;
                    for (int k = 0; k < kDim; k++)
                    {
                        Vector256<float> b0 = Vector256.Load(bp), b1 = Vector256.Load(bp + 8);
                        Vector256<float> x;
                        x = Vector256.Create(*a0); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                        x = Vector256.Create(*a1); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                        x = Vector256.Create(*a2); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                        x = Vector256.Create(*a3); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
                        a0 += aK; a1 += aK; a2 += aK; a3 += aK; bp += bK;
                    }
                    int j = jb + half;
                    Finish256(c, ldc, r0 + 0, j, c00, c01, epilogue, extra, ldx);
                    Finish256(c, ldc, r0 + 1, j, c10, c11, epilogue, extra, ldx);
                    Finish256(c, ldc, r0 + 2, j, c20, c21, epilogue, extra, ldx);
                    Finish256(c, ldc, r0 + 3, j, c30, c31, epilogue, extra, ldx);
                }
            }
    }

    private static void Run512(float* a, long aRow, long aK, int rows, float* b, long bK, long bPanel, int kDim, int cols,
        float* c, long ldc, GemmEpilogue epilogue, float* extra, long ldx)
    {
        for (int jb = 0; jb < cols; jb += Panel)
        {
            float* panel = b + jb / Panel * bPanel;
            for (int r0 = 0; r0 < rows; r0 += 8)
            {
                float* a0 = a + r0 * aRow;
                long r2 = 2 * aRow, r3 = 3 * aRow, r4 = 4 * aRow, r5 = 5 * aRow, r6 = 6 * aRow, r7 = 7 * aRow;
                Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
                Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
                float* bp = panel;
                for (int k = 0; k < kDim; k++)
                {
                    Vector512<float> b0 = Vector512.Load(bp), b1 = Vector512.Load(bp + 16);
                    Vector512<float> x;
                    x = Vector512.Create(a0[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
                    x = Vector512.Create(a0[aRow]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
                    x = Vector512.Create(a0[r2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
                    x = Vector512.Create(a0[r3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
                    x = Vector512.Create(a0[r4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
                    x = Vector512.Create(a0[r5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
                    x = Vector512.Create(a0[r6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
                    x = Vector512.Create(a0[r7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
                    a0 += aK; bp += bK;
                }
                Finish512(c, ldc, r0 + 0, jb, c00, c01, epilogue, extra, ldx);
                Finish512(c, ldc, r0 + 1, jb, c10, c11, epilogue, extra, ldx);
                Finish512(c, ldc, r0 + 2, jb, c20, c21, epilogue, extra, ldx);
                Finish512(c, ldc, r0 + 3, jb, c30, c31, epilogue, extra, ldx);
                Finish512(c, ldc, r0 + 4, jb, c40, c41, epilogue, extra, ldx);
                Finish512(c, ldc, r0 + 5, jb, c50, c51, epilogue, extra, ldx);
                Finish512(c, ldc, r0 + 6, jb, c60, c61, epilogue, extra, ldx);
                Finish512(c, ldc, r0 + 7, jb, c70, c71, epilogue, extra, ldx);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish512(float* c, long ldc, int r, int j, Vector512<float> v0, Vector512<float> v1, GemmEpilogue epilogue, float* extra, long ldx)
    {
        float* dst = c + r * ldc + j;
        switch (epilogue)
        {
            case GemmEpilogue.BiasRelu:
                v0 = Vector512.Max(v0 + Vector512.Load(extra + j), Vector512<float>.Zero);
                v1 = Vector512.Max(v1 + Vector512.Load(extra + j + 16), Vector512<float>.Zero);
                break;
            case GemmEpilogue.GatePositive:
                float* g = extra + r * ldx + j;
                v0 = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Load(g), Vector512<float>.Zero), v0, Vector512<float>.Zero);
                v1 = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Load(g + 16), Vector512<float>.Zero), v1, Vector512<float>.Zero);
                break;
            case GemmEpilogue.Accumulate:
                v0 += Vector512.Load(dst);
                v1 += Vector512.Load(dst + 16);
                break;
        }
        v0.Store(dst);
        v1.Store(dst + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish256(float* c, long ldc, int r, int j, Vector256<float> v0, Vector256<float> v1, GemmEpilogue epilogue, float* extra, long ldx)
    {
        float* dst = c + r * ldc + j;
        switch (epilogue)
        {
            case GemmEpilogue.BiasRelu:
                v0 = Vector256.Max(v0 + Vector256.Load(extra + j), Vector256<float>.Zero);
                v1 = Vector256.Max(v1 + Vector256.Load(extra + j + 8), Vector256<float>.Zero);
                break;
            case GemmEpilogue.GatePositive:
                float* g = extra + r * ldx + j;
                v0 = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Load(g), Vector256<float>.Zero), v0, Vector256<float>.Zero);
                v1 = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Load(g + 8), Vector256<float>.Zero), v1, Vector256<float>.Zero);
                break;
            case GemmEpilogue.Accumulate:
                v0 += Vector256.Load(dst);
                v1 += Vector256.Load(dst + 8);
                break;
        }
        v0.Store(dst);
        v1.Store(dst + 8);
    }
}
