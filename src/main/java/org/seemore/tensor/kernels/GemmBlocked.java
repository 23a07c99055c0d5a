package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.GemmMicroKernel.MR;
import static org.seemore.tensor.kernels.GemmMicroKernel.NR;

/**
 * The cache-blocked GEMM driver after Goto and van de Geijn, "Anatomy of High-Performance Matrix
 * Multiplication" (ACM TOMS 2008), in the loop order of BLIS:
 * <pre>
 * for jc in N by NC:                 B block [KC x NC] packed once, shared by all threads (L3)
 *   for pc in K by KC:
 *     for ic in M by MC:             A block [MC x KC] packed by the thread that uses it (L2)
 *       for jr in NC by NR:          one B sliver [KC x NR] ...
 *         for ir in MC by MR:        ... meets every A sliver [KC x MR] of the block
 *           micro-kernel: tile[MR x NR] = A sliver · B sliver, then C += tile
 * </pre>
 * With KC = 512 the kernel streams 160 bytes from L2 per 16 FMAs (a B row of 128, an A column of
 * 32), far below what L2 delivers, and C is read and written once per 512 steps of k. The block
 * sizes were tuned on an AMD Zen 4 core (32 KB L1, 1 MB L2): KC 256 to 512 and MC 64 to 128 were
 * within a few percent, KC = 512 a little ahead.
 * The kernel writes a dense MR x NR tile, so edge tiles need no special case until the copy into C.
 */
final class GemmBlocked {
    /** Depth of a packed block, in steps of k: a B sliver is KC x NR floats (64 KB). */
    static final int KC = 512;
    /** Rows of a packed A block, a multiple of MR: MC x KC floats (256 KB) stay in L2. */
    static final int MC = 128;
    /** Columns of a packed B block, a multiple of NR: KC x NC floats (8 MB) stay in L3. */
    static final int NC = 4096;

    /** Per-thread packing buffers, grown on demand and then reused. */
    private static final class Workspace {
        float[] packA = new float[0];
        float[] packB = new float[0];
        final float[] tile = new float[MR * NR];
        final float[] scratch = new float[GemmTranspose.SCRATCH];

        float[] packA(int size) {
            if (packA.length < size) {
                packA = new float[size];
            }
            return packA;
        }

        float[] packB(int size) {
            if (packB.length < size) {
                packB = new float[size];
            }
            return packB;
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private GemmBlocked() {}

    /** The {@link Gemm#gemm} contract for m, n, k > 0, on up to {@code threads} threads of {@link Parallel}. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, null, 0, threads);
    }

    /** As above, plus {@code bias[biasOff + j]} on every row's column j when bias is not null (and not accumulating). */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate, float[] bias, int biasOff, int threads) {
        int mSlivers = ceilDiv(m, MR);
        int kBlocks = ceilDiv(k, KC);
        int kcMax = ceilDiv(k, kBlocks);
        int nBlocks = ceilDiv(n, NC);
        int ncMax = roundUp(ceilDiv(n, nBlocks), NR);
        float[] bp = WORKSPACE.get().packB(kcMax * ncMax);
        for (int jc = 0; jc < n; jc += ncMax) {
            int nc = Math.min(ncMax, n - jc);
            int nSlivers = ceilDiv(nc, NR);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                Block block = new Block(transA, transB, a, aOff, lda, b, bOff, ldb, bp, c, cOff, ldc,
                        jc, nc, nSlivers, pc, kc, accumulate || pc > 0, bias, biasOff);
                if (threads == 1) {
                    block.packB(0, nSlivers);
                    block.compute(0, m, 0, nSlivers);
                } else {
                    computeInParallel(block, m, mSlivers, threads);
                }
            }
        }
    }

    /**
     * Packs the B block and computes its products with a few tasks per thread, claimed dynamically,
     * so a thread slowed by another process leaves its share to the others. Tasks are blocks of
     * rows (each packs its own A block); when C has too few rows for that, columns are split too.
     */
    private static void computeInParallel(Block block, int m, int mSlivers, int threads) {
        int nSlivers = block.nSlivers;
        int packTasks = Math.min(nSlivers, 4 * threads);
        Parallel.parallelFor(packTasks,
                t -> block.packB(share(nSlivers, t, packTasks), share(nSlivers, t + 1, packTasks)));
        int rowTasks = Math.min(mSlivers, roundUp(Math.max(ceilDiv(m, MC), threads), threads));
        int colTasks = Math.min(nSlivers, Math.max(1, ceilDiv(2 * threads, rowTasks)));
        Parallel.parallelFor(rowTasks * colTasks, t -> {
            int rt = t / colTasks;
            int ct = t % colTasks;
            int i0 = Math.min(m, share(mSlivers, rt, rowTasks) * MR);
            int i1 = Math.min(m, share(mSlivers, rt + 1, rowTasks) * MR);
            block.compute(i0, i1, share(nSlivers, ct, colTasks), share(nSlivers, ct + 1, colTasks));
        });
    }

    /** One (jc, pc) step: a packed B block and where its products go. */
    private record Block(boolean transA, boolean transB, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float[] bp, float[] c, int cOff, int ldc, int jc, int nc, int nSlivers, int pc, int kc,
                         boolean add, float[] bias, int biasOff) {

        /** Packs B slivers [s0, s1) of this block into bp. */
        void packB(int s0, int s1) {
            GemmPacking.packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp, s0, s1, WORKSPACE.get().scratch);
        }

        /** Rows [i0, i1) of C times B slivers [s0, s1), on the calling thread. */
        void compute(int i0, int i1, int s0, int s1) {
            if (i0 >= i1 || s0 >= s1) {
                return;
            }
            Workspace ws = WORKSPACE.get();
            int rows = i1 - i0;
            int mcMax = roundUp(ceilDiv(rows, ceilDiv(rows, MC)), MR);
            float[] ap = ws.packA(mcMax * kc);
            for (int ic = i0; ic < i1; ic += mcMax) {
                int mc = Math.min(mcMax, i1 - ic);
                int aSlivers = ceilDiv(mc, MR);
                GemmPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, ap, 0, aSlivers, ws.scratch);
                for (int s = s0; s < s1; s++) {
                    int j = jc + s * NR;
                    int cols = Math.min(NR, jc + nc - j);
                    int bi = s * kc * NR;
                    for (int r = 0; r < aSlivers; r++) {
                        int i = ic + r * MR;
                        int ci = cOff + i * ldc + j;
                        GemmMicroKernel.kernel(kc, ap, r * kc * MR, bp, bi, ws.tile);
                        if (add || bias == null) {
                            GemmMicroKernel.storeTile(ws.tile, Math.min(MR, ic + mc - i), cols, c, ci, ldc, add);
                        } else { // the first block of k: the bias goes in with the tile
                            GemmMicroKernel.storeTileWithBias(ws.tile, Math.min(MR, ic + mc - i), cols, c, ci, ldc, bias, biasOff + j);
                        }
                    }
                }
            }
        }
    }

    /** Where part {@code part} of {@code parts} near-equal parts of [0, total) starts. */
    private static int share(int total, int part, int parts) {
        return (int) ((long) total * part / parts);
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }
}
