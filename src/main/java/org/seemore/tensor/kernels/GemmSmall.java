package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * {@link Gemm} for products too small to repay packing (attention per head, a decoder step on one
 * token): kernels that read A and B where they lie, on the calling thread.
 *
 * <ul>
 *   <li>B not transposed: rows of C are built from rows of B, {@code C[i,:] += A[i,p] · B[p,:]},
 *       four rows of C by two vectors at a time, masked vectors for the last columns.
 *   <li>B transposed, few rows: each C[i,j] is a dot product of two contiguous rows.
 *   <li>B transposed, more rows: B is first transposed into a scratch buffer, then as above.
 * </ul>
 */
final class GemmSmall {
    /** Up to this many rows of C, a transposed B is read as dot products rather than transposed. */
    static final int DOT_MAX_ROWS = 4;

    /** Per thread: the transposed B, and the scratch of {@link GemmTranspose}. */
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[GemmTranspose.SCRATCH]});

    private GemmSmall() {}

    /** The {@link Gemm#gemm} contract for m, n, k > 0, on the calling thread. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        if (!transB) {
            rowsTimesB(transA, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        } else if (!transA && m <= DOT_MAX_ROWS) {
            dotProducts(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        } else {
            float[][] holder = SCRATCH.get();
            if (holder[0].length < k * n) {
                holder[0] = new float[k * n];
            }
            float[] bt = holder[0];
            transpose(b, bOff, ldb, n, k, bt, holder[1]);
            rowsTimesB(transA, m, n, k, a, aOff, lda, bt, 0, n, c, cOff, ldc, accumulate);
        }
    }

    /** C = (accumulate ? C : 0) + op(A)·B for B stored [k, n]; op(A)[i,p] is at a[aOff + i*rowStep + p*pStep]. */
    private static void rowsTimesB(boolean transA, int m, int n, int k, float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        int rowStep = transA ? 1 : lda;
        int pStep = transA ? lda : 1;
        int fullPairs = n / (2 * LANES) * (2 * LANES);
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int ai = aOff + i * rowStep;
            int ci = cOff + i * ldc;
            int j = 0;
            for (; j < fullPairs; j += 2 * LANES) {
                fourRowsTwoVectors(k, a, ai, rowStep, pStep, b, bOff + j, ldb, c, ci + j, ldc, accumulate);
            }
            for (; j < n; j += LANES) {
                VectorMask<Float> mask = SPECIES.indexInRange(j, n);
                fourRowsOneVector(k, a, ai, rowStep, pStep, b, bOff + j, ldb, c, ci + j, ldc, accumulate, mask);
            }
        }
        for (; i < m; i++) {
            int ai = aOff + i * rowStep;
            int ci = cOff + i * ldc;
            int j = 0;
            for (; j + 4 * LANES <= n; j += 4 * LANES) {
                oneRowFourVectors(k, a, ai, pStep, b, bOff + j, ldb, c, ci + j, accumulate);
            }
            for (; j < n; j += LANES) {
                VectorMask<Float> mask = SPECIES.indexInRange(j, n);
                FloatVector acc = FloatVector.zero(SPECIES);
                for (int p = 0; p < k; p++) {
                    FloatVector x = FloatVector.broadcast(SPECIES, a[ai + p * pStep]);
                    acc = x.fma(FloatVector.fromArray(SPECIES, b, bOff + p * ldb + j, mask), acc);
                }
                store(acc, c, ci + j, accumulate, mask);
            }
        }
    }

    /** One row of C, four vectors wide: four independent FMA chains, where one chain would wait on FMA latency. */
    private static void oneRowFourVectors(int k, float[] a, int ai, int pStep, float[] b, int bi, int ldb,
                                          float[] c, int ci, boolean accumulate) {
        FloatVector c0 = FloatVector.zero(SPECIES), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0; p < k; p++) {
            int bp = bi + p * ldb;
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai + p * pStep]);
            c0 = x.fma(FloatVector.fromArray(SPECIES, b, bp), c0);
            c1 = x.fma(FloatVector.fromArray(SPECIES, b, bp + LANES), c1);
            c2 = x.fma(FloatVector.fromArray(SPECIES, b, bp + 2 * LANES), c2);
            c3 = x.fma(FloatVector.fromArray(SPECIES, b, bp + 3 * LANES), c3);
        }
        store(c0, c, ci, accumulate);
        store(c1, c, ci + LANES, accumulate);
        store(c2, c, ci + 2 * LANES, accumulate);
        store(c3, c, ci + 3 * LANES, accumulate);
    }

    private static void fourRowsTwoVectors(int k, float[] a, int ai, int rowStep, int pStep,
                                           float[] b, int bi, int ldb, float[] c, int ci, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0; p < k; p++) {
            int bp = bi + p * ldb;
            int ap = ai + p * pStep;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ap + rowStep]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ap + 2 * rowStep]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ap + 3 * rowStep]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        store(c00, c, ci, accumulate);
        store(c01, c, ci + LANES, accumulate);
        store(c10, c, ci + ldc, accumulate);
        store(c11, c, ci + ldc + LANES, accumulate);
        store(c20, c, ci + 2 * ldc, accumulate);
        store(c21, c, ci + 2 * ldc + LANES, accumulate);
        store(c30, c, ci + 3 * ldc, accumulate);
        store(c31, c, ci + 3 * ldc + LANES, accumulate);
    }

    private static void fourRowsOneVector(int k, float[] a, int ai, int rowStep, int pStep, float[] b, int bi, int ldb,
                                          float[] c, int ci, int ldc, boolean accumulate, VectorMask<Float> mask) {
        FloatVector c0 = FloatVector.zero(SPECIES), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0; p < k; p++) {
            int ap = ai + p * pStep;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + p * ldb, mask);
            c0 = FloatVector.broadcast(SPECIES, a[ap]).fma(b0, c0);
            c1 = FloatVector.broadcast(SPECIES, a[ap + rowStep]).fma(b0, c1);
            c2 = FloatVector.broadcast(SPECIES, a[ap + 2 * rowStep]).fma(b0, c2);
            c3 = FloatVector.broadcast(SPECIES, a[ap + 3 * rowStep]).fma(b0, c3);
        }
        store(c0, c, ci, accumulate, mask);
        store(c1, c, ci + ldc, accumulate, mask);
        store(c2, c, ci + 2 * ldc, accumulate, mask);
        store(c3, c, ci + 3 * ldc, accumulate, mask);
    }

    /**
     * C[i,j] = (accumulate ? C : 0) + A[i,:]·B[j,:] for A stored [m, k] and B stored [n, k]: dot products
     * along k, four columns at a time. The loops live in small methods with whole-vector loads and
     * scalar tails: in one large method with masked tails the JIT left the FMAs un-intrinsified and
     * boxed every vector, which made 1-row products (a decoding step) ~10x slower.
     */
    private static void dotProducts(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                    float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * lda;
            int ci = cOff + i * ldc;
            int j = 0;
            for (; j + 4 <= n; j += 4) dot4(a, ai, b, bOff + j * ldb, ldb, k, c, ci + j, accumulate);
            for (; j < n; j++) storeScalar(c, ci + j, dot1(a, ai, b, bOff + j * ldb, k), accumulate);
        }
    }

    /** c[ci .. ci+3] (+)= a[ai, :k] · b[bj + r*ldb, :k] for r = 0..3. */
    private static void dot4(float[] a, int ai, float[] b, int bj, int ldb, int k, float[] c, int ci, boolean accumulate) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        int p = 0;
        for (int bound = SPECIES.loopBound(k); p < bound; p += LANES) {
            FloatVector x = FloatVector.fromArray(SPECIES, a, ai + p);
            s0 = x.fma(FloatVector.fromArray(SPECIES, b, bj + p), s0);
            s1 = x.fma(FloatVector.fromArray(SPECIES, b, bj + ldb + p), s1);
            s2 = x.fma(FloatVector.fromArray(SPECIES, b, bj + 2 * ldb + p), s2);
            s3 = x.fma(FloatVector.fromArray(SPECIES, b, bj + 3 * ldb + p), s3);
        }
        float t0 = VectorMath.sumLanes(s0), t1 = VectorMath.sumLanes(s1), t2 = VectorMath.sumLanes(s2), t3 = VectorMath.sumLanes(s3);
        for (; p < k; p++) {
            float x = a[ai + p];
            t0 += x * b[bj + p];
            t1 += x * b[bj + ldb + p];
            t2 += x * b[bj + 2 * ldb + p];
            t3 += x * b[bj + 3 * ldb + p];
        }
        storeScalar(c, ci, t0, accumulate);
        storeScalar(c, ci + 1, t1, accumulate);
        storeScalar(c, ci + 2, t2, accumulate);
        storeScalar(c, ci + 3, t3, accumulate);
    }

    /** a[ai, :k] · b[bj, :k]. */
    private static float dot1(float[] a, int ai, float[] b, int bj, int k) {
        FloatVector s = FloatVector.zero(SPECIES);
        int p = 0;
        for (int bound = SPECIES.loopBound(k); p < bound; p += LANES) {
            s = FloatVector.fromArray(SPECIES, a, ai + p).fma(FloatVector.fromArray(SPECIES, b, bj + p), s);
        }
        float t = VectorMath.sumLanes(s);
        for (; p < k; p++) t += a[ai + p] * b[bj + p];
        return t;
    }

    /** bt[p, j] (row length n) = B[j, p] for B stored [n, k]: vector transposes of 16 x 16 blocks, scalar edges. */
    private static void transpose(float[] b, int bOff, int ldb, int n, int k, float[] bt, float[] scratch) {
        int jFull = 0;
        int pFull = 0;
        if (GemmTranspose.SUPPORTED) {
            jFull = n / LANES * LANES;
            pFull = k / LANES * LANES;
            for (int j = 0; j < jFull; j += LANES) {
                for (int p = 0; p < pFull; p += LANES) {
                    GemmTranspose.transpose(b, bOff + j * ldb + p, ldb, LANES, bt, p * n + j, n, scratch);
                }
            }
        }
        for (int j = 0; j < n; j++) {
            int from = bOff + j * ldb;
            for (int p = j < jFull ? pFull : 0; p < k; p++) {
                bt[p * n + j] = b[from + p];
            }
        }
    }

    private static void store(FloatVector v, float[] c, int ci, boolean accumulate, VectorMask<Float> mask) {
        if (accumulate) {
            v = v.add(FloatVector.fromArray(SPECIES, c, ci, mask));
        }
        v.intoArray(c, ci, mask);
    }

    private static void store(FloatVector v, float[] c, int ci, boolean accumulate) {
        if (accumulate) {
            v = v.add(FloatVector.fromArray(SPECIES, c, ci));
        }
        v.intoArray(c, ci);
    }

    private static void storeScalar(float[] c, int ci, float value, boolean accumulate) {
        c[ci] = accumulate ? c[ci] + value : value;
    }
}
