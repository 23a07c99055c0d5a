package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Gemm} against {@link GemmReference} on odd shapes, all transposes, offsets and thread counts. */
class GemmTest {
    private static final int MR = GemmMicroKernel.MR;
    private static final int NR = GemmMicroKernel.NR;
    private static final int KC = GemmBlocked.KC;
    private static final int MC = GemmBlocked.MC;

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    /** One product to check: sizes, transposes, and how much slack the layout has. */
    private record Case(int m, int n, int k, boolean transA, boolean transB, boolean accumulate,
                        int pad, int offset) {
        @Override
        public String toString() {
            return "m=%d n=%d k=%d transA=%b transB=%b accumulate=%b pad=%d offset=%d"
                    .formatted(m, n, k, transA, transB, accumulate, pad, offset);
        }
    }

    /** The arrays of one case, filled from a seeded generator, with C computed by both kernels. */
    private static final class Run {
        final Case cs;
        final float[] a, b, cFast, cRef;
        final int lda, ldb, ldc;

        Run(Case cs, SplittableRandom random) {
            this.cs = cs;
            lda = (cs.transA ? cs.m : cs.k) + cs.pad;
            ldb = (cs.transB ? cs.k : cs.n) + cs.pad;
            ldc = cs.n + cs.pad;
            a = randomArray(cs.offset + lda * (cs.transA ? cs.k : cs.m), random);
            b = randomArray(cs.offset + ldb * (cs.transB ? cs.n : cs.k), random);
            cFast = randomArray(cs.offset + ldc * cs.m, random);
            cRef = cFast.clone();
        }

        void reference() {
            GemmReference.gemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, a, cs.offset, lda, b, cs.offset, ldb,
                    cRef, cs.offset, ldc, cs.accumulate);
        }

        /** Asserts the fast result is within a K-scaled tolerance everywhere, and that nothing outside C moved. */
        void check(String how) {
            double tolerance = 1e-5 * Math.max(1, cs.k) * maxAbs(a) * maxAbs(b) + 1e-6;
            double maxDiff = 0;
            for (int i = 0; i < cFast.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(cFast[i] - cRef[i]));
            }
            assertThat(maxDiff).as("%s %s: max |fast - reference| = %g, tolerance %g", how, cs, maxDiff, tolerance)
                    .isLessThanOrEqualTo(tolerance);
        }
    }

    @Test
    void matchesReferenceOnOddShapesAllTransposesAndLayouts() {
        SplittableRandom random = new SplittableRandom(20240601);
        int[] sizes = {1, 2, 3, 4, 5, MR - 1, MR, MR + 1, 13, 16, 17, NR - 1, NR, NR + 1, 2 * NR + 5, 4 * NR + 1, 100};
        List<Case> cases = new ArrayList<>();
        for (int trial = 0; trial < 250; trial++) {
            cases.add(new Case(pick(sizes, random), pick(sizes, random), pick(sizes, random),
                    random.nextBoolean(), random.nextBoolean(), random.nextBoolean(),
                    random.nextInt(3) == 0 ? 0 : random.nextInt(1, 9), random.nextInt(0, 7)));
        }
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    cases.add(new Case(37, 45, 29, transA, transB, accumulate, 3, 5));
                    cases.add(new Case(1, 1, 1, transA, transB, accumulate, 0, 0));
                }
            }
        }
        for (Case cs : cases) {
            Run run = new Run(cs, random);
            run.reference();
            float[] original = run.cFast.clone();
            Gemm.gemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, run.a, cs.offset, run.lda, run.b, cs.offset, run.ldb,
                    run.cFast, cs.offset, run.ldc, cs.accumulate);
            run.check("Gemm.gemm");
            if (cs.m > 0 && cs.n > 0 && cs.k > 0) {
                System.arraycopy(original, 0, run.cFast, 0, original.length);
                GemmSmall.gemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, run.a, cs.offset, run.lda, run.b, cs.offset,
                        run.ldb, run.cFast, cs.offset, run.ldc, cs.accumulate);
                run.check("GemmSmall");
                System.arraycopy(original, 0, run.cFast, 0, original.length);
                GemmBlocked.gemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, run.a, cs.offset, run.lda, run.b, cs.offset,
                        run.ldb, run.cFast, cs.offset, run.ldc, cs.accumulate, 1);
                run.check("GemmBlocked");
            }
        }
    }

    @Test
    void fewRowsTimesALargeMatrixSplitsColumnsAcrossThreads() {
        Parallel.setThreads(2);
        SplittableRandom random = new SplittableRandom(3);
        for (Case cs : List.of(new Case(1, 1000, 1100, false, true, false, 0, 0),   // decoder step: x·Wᵀ
                               new Case(3, 1001, 400, false, false, true, 1, 2),
                               new Case(4, 700, 401, true, true, false, 0, 1))) {
            assertThat((long) cs.m * cs.n * cs.k).isGreaterThanOrEqualTo(Gemm.PARALLEL_THRESHOLD);
            Run run = new Run(cs, random);
            run.reference();
            Gemm.gemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, run.a, cs.offset, run.lda, run.b, cs.offset, run.ldb,
                    run.cFast, cs.offset, run.ldc, cs.accumulate);
            run.check("Gemm.gemm, few rows, 2 threads");
        }
    }

    @Test
    void matchesReferenceAcrossBlockBoundaries() {
        SplittableRandom random = new SplittableRandom(7);
        List<Case> cases = List.of(
                new Case(9, 33, KC - 1, false, true, false, 1, 3),
                new Case(9, 33, KC + 1, true, false, true, 0, 1),
                new Case(17, 35, 2 * KC + 3, false, false, true, 2, 0),
                new Case(MC - 1, 20, 7, true, true, false, 0, 2),
                new Case(MC + 1, 20, 7, false, false, false, 5, 0),
                new Case(2 * MC + MR + 3, 2 * NR + 1, 9, false, true, true, 0, 0),
                new Case(3, GemmBlocked.NC + 1, 5, false, false, false, 1, 1),
                new Case(3, GemmBlocked.NC - 1, 6, false, true, true, 0, 4));
        for (Case cs : cases) {
            Run run = new Run(cs, random);
            run.reference();
            GemmBlocked.gemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, run.a, cs.offset, run.lda, run.b, cs.offset,
                    run.ldb, run.cFast, cs.offset, run.ldc, cs.accumulate, 1);
            run.check("blocked, 1 thread");
        }
    }

    @Test
    void matchesReferenceOnOneAndTwoThreads() {
        SplittableRandom random = new SplittableRandom(99);
        List<Case> cases = List.of(
                new Case(150, 70, 40, false, true, false, 0, 0),    // rows split between threads
                new Case(150, 70, KC + 9, true, false, true, 2, 3), // several k blocks, rows split
                new Case(11, 150, 40, false, false, false, 1, 0),   // too few rows: columns split
                new Case(5, 3 * NR + 7, 20, true, true, true, 0, 2),
                new Case(1, 1, 1, false, false, false, 0, 0));      // more threads than work
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (Case cs : cases) {
                Run run = new Run(cs, random);
                run.reference();
                GemmBlocked.gemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, run.a, cs.offset, run.lda, run.b,
                        cs.offset, run.ldb, run.cFast, cs.offset, run.ldc, cs.accumulate, threads);
                run.check("blocked, " + threads + " threads");
            }
        }
    }

    @Test
    void largeProductUsesThePoolAndMatches() {
        Parallel.setThreads(2);
        Case cs = new Case(130, 97, 131, false, true, true, 3, 1); // above the parallel threshold
        assertThat((long) cs.m * cs.n * cs.k).isGreaterThanOrEqualTo(Gemm.PARALLEL_THRESHOLD);
        Run run = new Run(cs, new SplittableRandom(5));
        run.reference();
        Gemm.gemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, run.a, cs.offset, run.lda, run.b, cs.offset, run.ldb,
                run.cFast, cs.offset, run.ldc, cs.accumulate);
        run.check("Gemm.gemm on 2 threads");
    }

    @Test
    void zeroDepthClearsOrKeepsC() {
        float[] c = {1, 2, 3, 4, 5, 6};
        Gemm.gemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 1, 3, true);
        assertThat(c).containsExactly(1, 2, 3, 4, 5, 6);
        Gemm.gemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 1, 3, false);
        assertThat(c).containsExactly(1, 0, 0, 4, 0, 0);
    }

    @Test
    void rejectsLeadingDimensionsSmallerThanTheWidth() {
        assertThatThrownBy(() -> Gemm.gemm(false, false, 2, 3, 4, new float[8], 0, 3, new float[12], 0, 3,
                new float[6], 0, 3, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lda=3");
    }

    @Test
    void batchedMatchesReferencePerItem() {
        SplittableRandom random = new SplittableRandom(11);
        record Batch(int batch, int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {}
        List<Batch> batches = List.of(
                new Batch(7, 65, 65, 16, false, true, false),  // attention scores Q·Kᵀ per head
                new Batch(5, 65, 16, 65, false, false, true),  // attention output P·V
                new Batch(3, 9, 5, 33, true, false, false),
                new Batch(2, 128, 128, 80, false, true, true), // large items: each one uses the whole pool
                new Batch(1, 1, 1, 1, false, false, false),
                new Batch(0, 4, 4, 4, false, false, false));
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (Batch bt : batches) {
                int pad = 2;
                int lda = (bt.transA ? bt.m : bt.k) + pad;
                int ldb = (bt.transB ? bt.k : bt.n) + pad;
                int ldc = bt.n + pad;
                int strideA = lda * (bt.transA ? bt.k : bt.m) + 3;
                int strideB = ldb * (bt.transB ? bt.n : bt.k) + 1;
                int strideC = ldc * bt.m + 5;
                float[] a = randomArray(1 + strideA * Math.max(1, bt.batch), random);
                float[] b = randomArray(2 + strideB * Math.max(1, bt.batch), random);
                float[] cFast = randomArray(3 + strideC * Math.max(1, bt.batch), random);
                float[] cRef = cFast.clone();
                for (int t = 0; t < bt.batch; t++) {
                    GemmReference.gemm(bt.transA, bt.transB, bt.m, bt.n, bt.k, a, 1 + t * strideA, lda,
                            b, 2 + t * strideB, ldb, cRef, 3 + t * strideC, ldc, bt.accumulate);
                }
                Gemm.gemmBatched(bt.batch, bt.transA, bt.transB, bt.m, bt.n, bt.k, a, 1, lda, strideA,
                        b, 2, ldb, strideB, cFast, 3, ldc, strideC, bt.accumulate);
                double tolerance = 1e-5 * bt.k * maxAbs(a) * maxAbs(b) + 1e-6;
                double maxDiff = 0;
                for (int i = 0; i < cFast.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(cFast[i] - cRef[i]));
                }
                assertThat(maxDiff).as("%s on %d threads: max diff %g, tolerance %g", bt, threads, maxDiff, tolerance)
                        .isLessThanOrEqualTo(tolerance);
            }
        }
    }

    /** A product with a bias is the same bits as C filled with the bias and the product accumulated into it. */
    @Test
    void biasGoesInWithTheProductBitForBit() {
        SplittableRandom random = new SplittableRandom(23);
        int[][] shapes = {{1, 7, 5}, {3, 33, 17}, {5, 40, 64}, {65, 65, 65}, {MR * 9 + 3, NR * 5 + 7, KC + 13}, {592, 96, 512}, {37, 2 * NR, 2 * KC + 1}};
        for (int threads = 1; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                for (boolean transA : new boolean[] {false, true}) {
                    for (boolean transB : new boolean[] {false, true}) {
                        int m = s[0], n = s[1], k = s[2], lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 1, ldc = n + 2;
                        float[] a = randomArray(lda * (transA ? k : m) + 2, random), b = randomArray(ldb * (transB ? n : k) + 1, random);
                        float[] bias = randomArray(n + 4, random);
                        float[] expected = randomArray(ldc * m + 1, random), actual = expected.clone();
                        for (int i = 0; i < m; i++) System.arraycopy(bias, 4, expected, 1 + i * ldc, n);
                        Gemm.gemm(transA, transB, m, n, k, a, 2, lda, b, 1, ldb, expected, 1, ldc, true);
                        Gemm.gemmBias(transA, transB, m, n, k, a, 2, lda, b, 1, ldb, actual, 1, ldc, bias, 4);
                        assertThat(actual).as("m=%d n=%d k=%d transA=%s transB=%s threads=%d", m, n, k, transA, transB, threads)
                                .containsExactly(expected);
                    }
                }
            }
        }
    }

    private static int pick(int[] values, SplittableRandom random) {
        return values[random.nextInt(values.length)];
    }

    private static float[] randomArray(int size, SplittableRandom random) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    private static double maxAbs(float[] x) {
        double max = 0;
        for (float v : x) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
