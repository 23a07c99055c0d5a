package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.seemore.tensor.kernels.AttentionKernel.KeyMask;
import org.seemore.tensor.kernels.AttentionKernel.Strided;

/**
 * The array kernels' fast/reference pairs, each registered once, for {@code FastReferencePairsTest}.
 * Sizes are the odd ones ({@link #ODD}) and the kernels' own block boundaries; inputs lie in [-1, 1).
 */
public final class KernelPairs {
    /** Sizes that are no multiple of anything: below, at and past a vector (16 floats with AVX-512), a few vectors plus one. */
    public static final int[] ODD = {1, 3, 17, 33, 65, 127};

    private KernelPairs() {}

    public static List<Pair> all() {
        return List.of(
                gemm("Gemm.gemm", Gemm::gemm),
                gemm("GemmSmall.gemm", GemmSmall::gemm),
                gemm("GemmBlocked.gemm", (tA, tB, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, acc) ->
                        GemmBlocked.gemm(tA, tB, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, acc, Parallel.threads())),
                gemmBias(), gemmBatched(), matVec(), decodeAttention(),
                attention("AttentionKernel.forward", false, false), attention("AttentionKernel.backward", true, false),
                attention("AttentionKernel.forward with a key mask", false, true), attention("AttentionKernel.backward with a key mask", true, true),
                decodeAttentionGroup(),
                vectorMath(), adamW(), widen());
    }

    /** Pairs whose fast side is wrong on purpose: the harness must fail each of them. */
    public static List<Pair> mutants() {
        return List.of(gemm("Gemm.gemm dropping the last product of every sum", (tA, tB, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, acc) ->
                Gemm.gemm(tA, tB, m, n, k - 1, a, ao, lda, b, bo, ldb, c, co, ldc, acc)));
    }

    /** The union of the given sizes, sorted. */
    public static int[] sizes(int[]... groups) {
        return java.util.Arrays.stream(groups).flatMapToInt(IntStream::of).distinct().sorted().toArray();
    }

    static float[] random(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextDouble(-1, 1);
        return x;
    }

    // ---- matrix products ------------------------------------------------------------------------

    /** The {@link Gemm#gemm} signature. */
    @FunctionalInterface
    interface GemmCall {
        void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                  float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate);
    }

    /** Sizes past the register tile (MR, NR) and the cache blocks (MC, KC, NC) of the packed product. */
    static final int[] GEMM_SIZES = sizes(ODD, new int[] {GemmMicroKernel.MR - 1, GemmMicroKernel.MR + 1, GemmMicroKernel.NR - 1,
            GemmMicroKernel.NR + 1, GemmBlocked.MC + 1, GemmBlocked.KC - 1, GemmBlocked.KC + 1, GemmBlocked.NC + 1});

    /**
     * Products with one side of size n: tall, wide and deep ones, a few rows times a wide matrix, a
     * cube when small. At n = NC + 1 the first four pass {@link Gemm#PARALLEL_THRESHOLD}, as do the
     * cubes from 129 on, so that 2 and 3 threads split them (by rows, or by columns for few rows).
     */
    static List<int[]> gemmShapes(int n) {
        List<int[]> shapes = new ArrayList<>(List.of(new int[] {n, 37, 29}, new int[] {29, n, 37}, new int[] {37, 29, n},
                new int[] {1, n, 257}, new int[] {3, n, 257}));
        if (n <= GemmBlocked.MC + 1) shapes.add(new int[] {n, n, n});
        return shapes;
    }

    /** One product's operands: A and B with padded rows past an offset, C filled with values to accumulate onto. */
    record Operands(int m, int n, int k, boolean transA, boolean transB, boolean accumulate, int pad, int offset,
                    float[] a, float[] b, float[] c, int lda, int ldb, int ldc) {
        static Operands draw(SplittableRandom random, int m, int n, int k, int flags, int variant) {
            boolean transA = (flags & 1) != 0, transB = (flags & 2) != 0, accumulate = (flags & 4) != 0;
            int pad = variant % 3 == 0 ? 0 : variant % 4 + 1, offset = variant % 5;
            int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
            return new Operands(m, n, k, transA, transB, accumulate, pad, offset, random(random, offset + lda * (transA ? k : m)),
                    random(random, offset + ldb * (transB ? n : k)), random(random, offset + ldc * m), lda, ldb, ldc);
        }

        String describe() {
            return "m=%d n=%d k=%d transA=%b transB=%b accumulate=%b pad=%d offset=%d".formatted(m, n, k, transA, transB, accumulate, pad, offset);
        }

        /** The K-scaled absolute tolerance of a float sum of k products of values below 1. */
        double tolerance() {
            return 1e-5 * Math.max(1, k) + 1e-6;
        }
    }

    /** Every transpose and accumulate flag on each shape (two of the eight on products above 2^20 multiply-adds, to bound the time). */
    private static Pair gemm(String name, GemmCall fast) {
        return new Pair(name, GEMM_SIZES, (size, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            Outcome outcome = new Outcome();
            List<int[]> shapes = gemmShapes(size);
            for (int s = 0; s < shapes.size(); s++) {
                int m = shapes.get(s)[0], n = shapes.get(s)[1], k = shapes.get(s)[2];
                boolean large = (long) m * n * k > 1 << 20;
                for (int flags = 0; flags < 8; flags++) {
                    if (large && flags % 4 != s % 4) continue;
                    Operands o = Operands.draw(random, m, n, k, flags, s + flags);
                    float[] c = o.c().clone(), want = o.c().clone();
                    fast.gemm(o.transA(), o.transB(), m, n, k, o.a(), o.offset(), o.lda(), o.b(), o.offset(), o.ldb(), c, o.offset(), o.ldc(), o.accumulate());
                    GemmReference.gemm(o.transA(), o.transB(), m, n, k, o.a(), o.offset(), o.lda(), o.b(), o.offset(), o.ldb(), want, o.offset(), o.ldc(), o.accumulate());
                    outcome.absolute(o.describe(), c, want, o.tolerance()); // all of C: nothing outside the product moves
                }
            }
            return outcome;
        });
    }

    private static Pair gemmBias() {
        return new Pair("Gemm.gemmBias", GEMM_SIZES, (size, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            Outcome outcome = new Outcome();
            List<int[]> shapes = gemmShapes(size);
            for (int s = 0; s < shapes.size(); s++) {
                int m = shapes.get(s)[0], n = shapes.get(s)[1], k = shapes.get(s)[2];
                for (int flags : new int[] {s % 4, 3 - s % 4}) { // two transpose pairs per shape
                    Operands o = Operands.draw(random, m, n, k, flags, s);
                    float[] bias = random(random, n + 3), c = o.c().clone(), want = o.c().clone();
                    Gemm.gemmBias(o.transA(), o.transB(), m, n, k, o.a(), o.offset(), o.lda(), o.b(), o.offset(), o.ldb(), c, o.offset(), o.ldc(), bias, 3);
                    GemmReference.gemmBias(o.transA(), o.transB(), m, n, k, o.a(), o.offset(), o.lda(), o.b(), o.offset(), o.ldb(), want, o.offset(), o.ldc(), bias, 3);
                    outcome.absolute(o.describe() + " with bias", c, want, o.tolerance());
                }
            }
            return outcome;
        });
    }

    /** Batches of attention-like products; the size is the batch (0 included), items large enough to take the whole pool when few. */
    private static Pair gemmBatched() {
        int[][] items = {{65, 65, 16, 0, 1, 0}, {65, 16, 65, 0, 0, 1}, {9, 5, 33, 1, 0, 0}, {128, 128, 80, 0, 1, 1}, {1, 1, 1, 0, 0, 0}};
        return new Pair("Gemm.gemmBatched", new int[] {0, 1, 2, 3, 7, 17}, (batch, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            Outcome outcome = new Outcome();
            for (int[] it : items) {
                if (it[0] == 128 && batch > 3) continue; // the large items matter when there are fewer than threads
                int m = it[0], n = it[1], k = it[2], pad = 2;
                boolean transA = it[3] == 1, transB = it[4] == 1, accumulate = it[5] == 1;
                int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
                int strideA = lda * (transA ? k : m) + 3, strideB = ldb * (transB ? n : k) + 1, strideC = ldc * m + 5;
                float[] a = random(random, 1 + strideA * Math.max(1, batch)), b = random(random, 2 + strideB * Math.max(1, batch));
                float[] c = random(random, 3 + strideC * Math.max(1, batch)), want = c.clone();
                Gemm.gemmBatched(batch, transA, transB, m, n, k, a, 1, lda, strideA, b, 2, ldb, strideB, c, 3, ldc, strideC, accumulate);
                GemmReference.gemmBatched(batch, transA, transB, m, n, k, a, 1, lda, strideA, b, 2, ldb, strideB, want, 3, ldc, strideC, accumulate);
                outcome.absolute("batch of %d: m=%d n=%d k=%d transA=%b transB=%b accumulate=%b".formatted(batch, m, n, k, transA, transB, accumulate),
                        c, want, 1e-5 * k + 1e-6);
            }
            return outcome;
        });
    }

    /** Matrix times vector; the size is the row length, with row counts below, at and past a block of rows. */
    private static Pair matVec() {
        return new Pair("MatVec.multiply", sizes(ODD, new int[] {7, 16, 128, 200}), (cols, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            Outcome outcome = new Outcome();
            for (int rows : new int[] {1, 3, 4, 5, 8, 66, 131}) {
                for (boolean bias : new boolean[] {false, true}) {
                    int wo = 3, xo = 5, bo = 2, yo = 7;
                    float[] w = random(random, wo + rows * cols + 4), x = random(random, xo + cols + 4), b = random(random, bo + rows);
                    float[] y = random(random, yo + rows + 3), want = y.clone();
                    MatVec.multiply(w, wo, rows, cols, x, xo, bias ? b : null, bo, y, yo);
                    MatVecReference.multiply(w, wo, rows, cols, x, xo, bias ? b : null, bo, want, yo);
                    outcome.absolute("rows=%d cols=%d bias=%b".formatted(rows, cols, bias), y, want, 1e-6 * cols + 1e-6);
                }
            }
            return outcome;
        });
    }

    /** 16-bit floats widened to float32, from arrays and little-endian segments at odd offsets; every bit must agree. */
    private static Pair widen() {
        return new Pair("Widen.bf16/f16", sizes(ODD, new int[] {LANES - 1, LANES, LANES + 1, 4 * LANES + 3}), (n, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            Outcome outcome = new Outcome();
            int so = 3, dofs = 5;
            short[] bits = new short[so + n + 2];
            for (int i = 0; i < bits.length; i++) bits[i] = (short) random.nextInt(1 << 16);
            java.lang.foreign.MemorySegment segment = java.lang.foreign.MemorySegment.ofArray(new byte[2 * bits.length + 1]);
            for (int i = 0; i < bits.length; i++) {
                segment.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 1 + 2L * i, bits[i]);
            }
            for (boolean half : new boolean[] {false, true}) {
                float[] fromArray = new float[dofs + n + 2], fromSegment = fromArray.clone(), scalar = fromArray.clone(), want = fromArray.clone();
                if (half) {
                    Widen.f16(bits, so, fromArray, dofs, n);
                    Widen.f16(segment, 1 + 2L * so, fromSegment, dofs, n);
                    Widen.f16Scalar(segment, 1 + 2L * so, scalar, dofs, n);
                    WidenReference.f16(bits, so, want, dofs, n);
                } else {
                    Widen.bf16(bits, so, fromArray, dofs, n);
                    Widen.bf16(segment, 1 + 2L * so, fromSegment, dofs, n);
                    Widen.bf16Scalar(segment, 1 + 2L * so, scalar, dofs, n);
                    WidenReference.bf16(bits, so, want, dofs, n);
                }
                String kind = half ? "f16" : "bf16";
                outcome.exact(kind + " from an array, n=" + n, fromArray, want);
                outcome.exact(kind + " from a segment, n=" + n, fromSegment, want);
                outcome.exact(kind + " scalar, n=" + n, scalar, want);
            }
            return outcome;
        });
    }

    /** One query over cached positions; the size is the number of positions, over head widths that are and are not whole vectors. */
    private static Pair decodeAttention() {
        return new Pair("DecodeAttention.attend", sizes(ODD, new int[] {2, 15, 16, 40}), (length, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            Outcome outcome = new Outcome();
            for (int hd : new int[] {8, 16, 20, 32}) {
                int capacity = length + 5, stride = DecodeAttention.padded(capacity), ko = 4, vo = 6, qo = 3, yo = 2;
                float[] keys = random(random, ko + capacity * hd), values = random(random, vo + capacity * hd), q = random(random, qo + hd);
                float[] keysT = new float[ko + DecodeAttention.keysSize(capacity, hd)];
                for (int j = 0; j < capacity; j++) DecodeAttention.storeKey(keys, ko + j * hd, keysT, ko, j, hd);
                float scale = (float) (1 / Math.sqrt(hd));
                float[] y = new float[yo + hd], want = new float[yo + hd];
                DecodeAttention.attend(q, qo, keysT, ko, values, vo, length, hd, scale, new float[stride], y, yo);
                DecodeAttentionReference.attend(q, qo, keys, ko, values, vo, length, hd, scale, want, yo);
                outcome.absolute("hd=%d length=%d".formatted(hd, length), y, want, 1e-6);
            }
            return outcome;
        });
    }

    /**
     * One head on strided rows (wider than the head, as in a qkv buffer); the size is the number of
     * keys, the queries one, three, seven or all of them (a cached suffix), causal and not, over head
     * widths of the direct loops (16, 32) and of GEMM (5, 64). The backward adds into gradients that
     * already hold values.
     */
    private static Pair attention(String name, boolean backward, boolean masked) {
        return new Pair(name, sizes(ODD, new int[] {9, 10, 40}), (tk, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            Outcome outcome = new Outcome();
            for (int hd : new int[] {5, 16, 32, 64}) {
                for (int tq : IntStream.of(1, Math.min(3, tk), Math.min(7, tk), tk).distinct().toArray()) {
                    for (boolean causal : new boolean[] {true, false}) {
                        KeyMask[] masks = masked ? masks(random, tk) : new KeyMask[] {null};
                        for (int m = 0; m < masks.length; m++) { // with masks, two of the four kinds on each case, in turn
                            if (!masked || (m + hd + tq + (causal ? 1 : 0)) % 2 == 0) attentionCase(outcome, random, hd, tq, tk, causal, masked, masks[m], backward);
                        }
                    }
                }
            }
            return outcome;
        });
    }

    /** One head against the reference, through the masked entry points when {@code masked} (and the unmasked ones otherwise). */
    private static void attentionCase(Outcome outcome, SplittableRandom random, int hd, int tq, int tk, boolean causal, boolean masked, KeyMask mask,
                                      boolean backward) {
        int ld = 3 * hd + 2;
        float[] q = random(random, 1 + tq * ld), kv = random(random, 1 + tk * ld), y = new float[2 + tq * ld];
        Strided sq = new Strided(q, 1, ld), sk = new Strided(kv, 1, ld), sv = new Strided(kv, 1 + hd, ld), sy = new Strided(y, 2, ld);
        float scale = 0.3f;
        int scratch = AttentionKernel.scratchSize(tq, tk, hd);
        float[] work = new float[scratch + tq * AttentionKernel.probsWidth(tk, hd)];
        if (masked) {
            AttentionKernel.forward(sq, sk, sv, tq, tk, hd, causal, mask, scale, work, scratch, sy, work);
        } else {
            AttentionKernel.forward(sq, sk, sv, tq, tk, hd, causal, scale, work, scratch, sy, work);
        }
        String what = "hd=%d tq=%d tk=%d causal=%b%s".formatted(hd, tq, tk, causal, masked ? " mask " + maskString(mask, tk) : "");
        if (!backward) {
            float[] want = new float[y.length];
            if (masked) {
                AttentionKernelReference.forward(sq, sk, sv, tq, tk, hd, causal, mask, scale, new Strided(want, 2, ld));
            } else {
                AttentionKernelReference.forward(sq, sk, sv, tq, tk, hd, causal, scale, new Strided(want, 2, ld));
            }
            outcome.absolute(what, y, want, 1e-5);
            return;
        }
        float[] gy = random(random, 2 + tq * ld), gq = random(random, 1 + tq * ld), gkv = random(random, 1 + tk * ld);
        float[] wantQ = gq.clone(), wantKv = gkv.clone();
        Strided sgy = new Strided(gy, 2, ld), sgq = new Strided(gq, 1, ld), sgk = new Strided(gkv, 1, ld), sgv = new Strided(gkv, 1 + hd, ld);
        Strided wq = new Strided(wantQ, 1, ld), wk = new Strided(wantKv, 1, ld), wv = new Strided(wantKv, 1 + hd, ld);
        if (masked) {
            AttentionKernel.backward(sq, sk, sv, tq, tk, hd, causal, mask, scale, work, scratch, sgy, sgq, sgk, sgv, new float[scratch]);
            AttentionKernelReference.backward(sq, sk, sv, tq, tk, hd, causal, mask, scale, sgy, wq, wk, wv);
        } else {
            AttentionKernel.backward(sq, sk, sv, tq, tk, hd, causal, scale, work, scratch, sgy, sgq, sgk, sgv, new float[scratch]);
            AttentionKernelReference.backward(sq, sk, sv, tq, tk, hd, causal, scale, sgy, wq, wk, wv);
        }
        outcome.scaled(what + ": gradient of q", gq, wantQ, 1e-5);
        outcome.scaled(what + ": gradients of k and v", gkv, wantKv, 1e-5);
    }

    /**
     * Key masks over tk keys, from an offset: the last keys padded, the first ones (causal queries
     * before the first kept key see none), random holes, and none kept.
     */
    private static KeyMask[] masks(SplittableRandom random, int tk) {
        int[] right = new int[3 + tk], left = new int[3 + tk], holes = new int[3 + tk], none = new int[3 + tk];
        for (int j = 0; j < tk; j++) {
            right[3 + j] = j < tk - tk / 3 ? 1 : 0;
            left[3 + j] = j >= (tk + 1) / 2 ? 1 : 0;
            holes[3 + j] = random.nextInt(3) == 0 ? 0 : 1;
        }
        return new KeyMask[] {new KeyMask(right, 3), new KeyMask(left, 3), new KeyMask(holes, 3), new KeyMask(none, 3)};
    }

    private static String maskString(KeyMask mask, int tk) {
        StringBuilder s = new StringBuilder();
        for (int j = 0; j < tk; j++) s.append(mask.keep()[mask.offset() + j]);
        return s.toString();
    }

    /**
     * A group of query heads over one cached kv head; the size is the number of positions, over head
     * widths that are and are not whole vectors, groups of 1 to 8, with and without a key mask (one
     * masking every position among them).
     */
    private static Pair decodeAttentionGroup() {
        return new Pair("DecodeAttention.attendGroup", sizes(ODD, new int[] {2, 15, 16, 40}), (length, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            Outcome outcome = new Outcome();
            for (int hd : new int[] {8, 16, 20, 64}) {
                for (int group : new int[] {1, 3, 4, 9}) {
                    for (int m = 0; m < 3; m++) {
                        int capacity = length + 5, stride = DecodeAttention.padded(capacity), ko = 4, vo = 6, qo = 3, yo = 2, mo = 1;
                        float[] keys = random(random, ko + capacity * hd), values = random(random, vo + capacity * hd), q = random(random, qo + group * hd);
                        float[] keysT = new float[ko + DecodeAttention.keysSize(capacity, hd)];
                        for (int j = 0; j < capacity; j++) DecodeAttention.storeKey(keys, ko + j * hd, keysT, ko, j, hd);
                        int[] mask = m == 0 ? null : new int[mo + capacity];
                        for (int j = 0; m == 1 && j < capacity; j++) mask[mo + j] = random.nextInt(3) == 0 ? 0 : 1;
                        float scale = (float) (1 / Math.sqrt(hd));
                        float[] y = new float[yo + group * hd], want = new float[yo + group * hd];
                        DecodeAttention.attendGroup(q, qo, group, keysT, ko, values, vo, length, hd, scale, mask, mo,
                                new float[group * DecodeAttention.padded(length)], y, yo);
                        DecodeAttentionReference.attendGroup(q, qo, group, keys, ko, values, vo, length, hd, scale, mask, mo, want, yo);
                        outcome.absolute("hd=%d group=%d length=%d mask %d".formatted(hd, group, length, m), y, want, 1e-6);
                    }
                }
            }
            return outcome;
        });
    }

    /** The row reductions and updates, from offsets, over n values. */
    private static Pair vectorMath() {
        return new Pair("VectorMath.sum/max/dot/addInto/axpy/addScaled", sizes(ODD, new int[] {15, 16, 1025}), (n, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            float[] a = random(random, n + 5), b = random(random, n + 7);
            Outcome outcome = new Outcome();
            outcome.absolute("sum", new float[] {VectorMath.sum(a, 2, n)}, new float[] {VectorMathReference.sum(a, 2, n)}, 1e-6 * n);
            outcome.exact("max", new float[] {VectorMath.max(a, 2, n)}, new float[] {VectorMathReference.max(a, 2, n)});
            outcome.absolute("dot", new float[] {VectorMath.dot(a, 2, b, 5, n)}, new float[] {VectorMathReference.dot(a, 2, b, 5, n)}, 1e-6 * n);
            float[] y = b.clone(), want = b.clone();
            VectorMath.addInto(a, 2, y, 5, n);
            VectorMathReference.addInto(a, 2, want, 5, n);
            outcome.scaled("addInto", y, want, 1e-6);
            y = b.clone();
            want = b.clone();
            VectorMath.axpy(0.7f, a, 2, y, 5, n);
            VectorMathReference.axpy(0.7f, a, 2, want, 5, n);
            outcome.scaled("axpy", y, want, 1e-6);
            y = b.clone();
            want = b.clone();
            VectorMath.addScaled(-1.3f, a, 2, y, 5, n);
            VectorMathReference.addScaled(-1.3f, a, 2, want, 5, n);
            outcome.scaled("addScaled", y, want, 1e-6);
            return outcome;
        });
    }

    /** The optimizer update, bit for bit, up to sizes that split over the pool. */
    private static Pair adamW() {
        return new Pair("AdamWKernel.update", sizes(ODD, new int[] {7, 16, 1000, 2 * AdamWKernel.PARALLEL_MIN + 3}), (n, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            float[] w = random(random, n + 3), g = random(random, n), m = random(random, n), v = random(random, n);
            for (int i = 0; i < n; i++) {
                g[i] *= 1e-3f;
                m[i] *= 1e-3f;
                v[i] = v[i] * v[i] * 1e-5f;
            }
            float[] w2 = w.clone(), m2 = m.clone(), v2 = v.clone();
            AdamWKernel.update(w, 3, g, m, v, n, 0.9f, 0.95f, 0.9999f, 1e-3f, 1.3f, 1e-8f);
            AdamWKernelReference.update(w2, 3, g, m2, v2, n, 0.9f, 0.95f, 0.9999f, 1e-3f, 1.3f, 1e-8f);
            return new Outcome().exact("weights", w, w2).exact("first moments", m, m2).exact("second moments", v, v2);
        });
    }
}
