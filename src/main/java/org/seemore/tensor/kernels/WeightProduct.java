package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * {@code y = x·Wᵀ + b} for the few rows of x a decoding step has (one per sequence), W a
 * {@link WeightMatrix} in float32 or bfloat16: the products of inference, whose time is reading W.
 *
 * <p>Each weight row is read once for up to eight rows of x: its vectors are loaded (and, for
 * bfloat16, widened in registers: a shift of the sign-extended bits, {@link Widen#bf16Bits}) and meet
 * every row of x in its own accumulator. One row of x alone gets four accumulators along the row,
 * so the FMA latency does not limit a stream that memory could feed faster. Weight rows are read in
 * address order, which the prefetchers follow (see {@link MatVec}). Rows of W are spread over the
 * {@link Parallel} pool, several products that share x in one loop ({@link #multiply}); each output
 * is computed the same way whatever the split, so results do not depend on the thread count.
 * Products with more than {@link #MAX_SMALL_ROWS} rows of x (a prefill) widen W a block of rows at a
 * time and go to {@link Gemm}. {@link WeightProductReference} is the plain loop.
 *
 * <p>bfloat16 packed in panels ({@link WeightMatrix.Bf16Panels}, what {@code LlamaWeights} holds) goes
 * to {@link PanelProduct}, which needs no sums across lanes and reads each panel as one stream:
 * batch-8 decode of Qwen2-0.5B's shape ran 64 tokens/s on the row-major kernels here, 147 on panels
 * (2 threads). Tasks then start on panel boundaries.
 */
public final class WeightProduct {
    /** Rows of x one pass over W serves. */
    static final int GROUP = 8;
    /** Above this many rows of x, W is widened block by block for {@link Gemm}, which reuses it from cache. */
    public static final int MAX_SMALL_ROWS = 16;
    /** Weights per chunk of rows the few-row products reuse from cache (64 KB of float32). */
    static final int CHUNK_FLOATS = 1 << 14;
    /** Weight rows below which a product stays on the calling thread. */
    private static final int MIN_TASK_ROWS = 32;
    /** Tasks per thread: claimed dynamically, so a thread slowed by another process does less. */
    private static final int TASKS_PER_THREAD = 4;
    /**
     * Floats of widened weights per block of the large products (4 MB): {@link Gemm} packs W again for
     * its own cache blocking, so small blocks only cut it into narrow, edge-heavy calls.
     */
    static final int BLOCK_FLOATS = 1 << 20;
    /** The widened block, kept per thread: a fresh one per product cost its zeroing, the size of W in float32. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private WeightProduct() {}

    /** One product of a group that shares x: {@code y[yo + i*ldy + r] = bias[r] + x_i · W_r} (bias may be null). */
    public record Product(WeightMatrix w, float[] bias, float[] y, int yo, int ldy) {}

    /**
     * Every product of the group for rows {@code x[xo + i*ldx ..]}, i < m (all W of the group have the
     * same number of columns, x's width); the small ones in one parallel loop over their weight rows.
     */
    public static void multiply(float[] x, int xo, int ldx, int m, Product... products) {
        int cols = products[0].w().cols(), total = 0;
        for (Product p : products) {
            if (p.w().cols() != cols) throw new IllegalArgumentException("products of one x need the same width: " + p.w().cols() + " and " + cols);
            total += p.w().rows();
        }
        if (m > MAX_SMALL_ROWS) {
            for (Product p : products) large(p, x, xo, ldx, m);
            return;
        }
        int rows = total;
        int tasks = Math.max(1, Math.min(TASKS_PER_THREAD * Parallel.threads(), rows / MIN_TASK_ROWS));
        Parallel.parallelFor(tasks, t -> {
            int start = split(rows, t, tasks), end = split(rows, t + 1, tasks), base = 0;
            for (Product p : products) {
                int n = p.w().rows(), r0 = Math.max(start - base, 0), r1 = Math.min(end - base, n);
                if (r0 < r1) multiplyRows(p.w(), r0, r1, x, xo, ldx, m, p.bias(), p.y(), p.yo(), p.ldy());
                base += n;
            }
        });
    }

    /** Where task t of n starts: on a panel's boundary ({@link WeightMatrix.Bf16Panels#PANEL}), so that no panel is read by two tasks. */
    private static int split(int rows, int t, int tasks) {
        if (t == tasks) return rows;
        int at = (int) ((long) rows * t / tasks);
        return at - at % WeightMatrix.Bf16Panels.PANEL;
    }

    /**
     * Weight rows {@code [r0, r1)} on the calling thread: {@code y[yo + i*ldy + r] = (bias == null ? 0 : bias[r]) + sum_p x[xo + i*ldx + p] * W[r, p]}
     * for i < m.
     */
    public static void multiplyRows(WeightMatrix w, int r0, int r1, float[] x, int xo, int ldx, int m, float[] bias, float[] y, int yo, int ldy) {
        if (w instanceof WeightMatrix.Bf16Panels panels) {
            PanelProduct.multiplyRows(panels, r0, r1, x, xo, ldx, m, bias, y, yo, ldy);
            return;
        }
        // a chunk of weight rows meets every group of x's rows while it is in cache: W comes from memory once
        // for any m (2 or 3 rows, an expert's share of a batch, took one pass over W per row)
        int chunk = Math.max(GROUP, CHUNK_FLOATS / Math.max(w.cols(), 1));
        for (int c0 = r0; c0 < r1; c0 += chunk) {
            int c1 = Math.min(r1, c0 + chunk), i = 0;
            for (; i + GROUP <= m; i += GROUP) group8(w, c0, c1, x, xo + i * ldx, ldx, bias, y, yo + i * ldy, ldy);
            for (; i + 4 <= m; i += 4) group4(w, c0, c1, x, xo + i * ldx, ldx, bias, y, yo + i * ldy, ldy);
            for (; i < m; i++) {
                switch (w) {
                    case WeightMatrix.F32 f -> f32One(f.values(), f.offset(), f.cols(), c0, c1, x, xo + i * ldx, bias, y, yo + i * ldy);
                    case WeightMatrix.Bf16 b -> bf16One(b.bits(), b.cols(), c0, c1, x, xo + i * ldx, bias, y, yo + i * ldy);
                    case WeightMatrix.Bf16Panels b -> throw new IllegalStateException("panels are multiplied by PanelProduct");
                }
            }
        }
    }

    /** Many rows of x: W widened a block of rows at a time into scratch, each block one {@link Gemm} (parallel inside). */
    private static void large(Product p, float[] x, int xo, int ldx, int m) {
        WeightMatrix w = p.w();
        int cols = w.cols();
        if (w instanceof WeightMatrix.F32 f) {
            gemm(true, m, w.rows(), cols, x, xo, ldx, f.values(), f.offset(), cols, p, 0);
            return;
        }
        int block = Math.max(LANES, BLOCK_FLOATS / Math.max(cols, 1));
        if (w instanceof WeightMatrix.Bf16Panels) block = Math.max(1, block / WeightMatrix.Bf16Panels.PANEL) * WeightMatrix.Bf16Panels.PANEL;
        float[] scratch = SCRATCH.get();
        if (scratch.length < Math.min(block, w.rows()) * cols) SCRATCH.set(scratch = new float[Math.min(block, w.rows()) * cols]);
        for (int r0 = 0; r0 < w.rows(); r0 += block) {
            int r1 = Math.min(w.rows(), r0 + block);
            if (w instanceof WeightMatrix.Bf16Panels panels) { // widened as (cols, r1 - r0): W transposed, as the panels hold it
                PanelProduct.widenColumns(panels, r0, r1, scratch);
                gemm(false, m, r1 - r0, cols, x, xo, ldx, scratch, 0, r1 - r0, p, r0);
            } else {
                w.widenRows(r0, r1, scratch, 0);
                gemm(true, m, r1 - r0, cols, x, xo, ldx, scratch, 0, cols, p, r0);
            }
        }
    }

    /** Columns {@code [r0, r0 + n)} of p's output from n widened weight rows at {@code b[bo ..]} (stored as rows when transB, else as columns). */
    private static void gemm(boolean transB, int m, int n, int k, float[] x, int xo, int ldx, float[] b, int bo, int ldb, Product p, int r0) {
        if (p.bias() == null) {
            Gemm.gemm(false, transB, m, n, k, x, xo, ldx, b, bo, ldb, p.y(), p.yo() + r0, p.ldy(), false);
        } else {
            Gemm.gemmBias(false, transB, m, n, k, x, xo, ldx, b, bo, ldb, p.y(), p.yo() + r0, p.ldy(), p.bias(), r0);
        }
    }

    private static void group8(WeightMatrix w, int r0, int r1, float[] x, int xo, int ldx, float[] bias, float[] y, int yo, int ldy) {
        int cols = w.cols(), bound = SPECIES.loopBound(cols);
        float[] sums = new float[GROUP];
        for (int r = r0; r < r1; r++) {
            switch (w) {
                case WeightMatrix.F32 f -> f32Eight(f.values(), f.offset() + r * cols, bound, x, xo, ldx, sums);
                case WeightMatrix.Bf16 b -> bf16Eight(b.bits(), r * cols, bound, x, xo, ldx, sums);
                case WeightMatrix.Bf16Panels b -> throw new IllegalStateException("panels are multiplied by PanelProduct");
            }
            for (int i = 0; i < GROUP; i++) y[yo + i * ldy + r] = finish(w, r, sums[i], bound, x, xo + i * ldx, bias);
        }
    }

    private static void group4(WeightMatrix w, int r0, int r1, float[] x, int xo, int ldx, float[] bias, float[] y, int yo, int ldy) {
        int cols = w.cols(), bound = SPECIES.loopBound(cols);
        float[] sums = new float[4];
        for (int r = r0; r < r1; r++) {
            switch (w) {
                case WeightMatrix.F32 f -> f32Four(f.values(), f.offset() + r * cols, bound, x, xo, ldx, sums);
                case WeightMatrix.Bf16 b -> bf16Four(b.bits(), r * cols, bound, x, xo, ldx, sums);
                case WeightMatrix.Bf16Panels b -> throw new IllegalStateException("panels are multiplied by PanelProduct");
            }
            for (int i = 0; i < 4; i++) y[yo + i * ldy + r] = finish(w, r, sums[i], bound, x, xo + i * ldx, bias);
        }
    }

    /** The row's vector sum plus its scalar tail (columns from bound) plus its bias. */
    private static float finish(WeightMatrix w, int r, float sum, int bound, float[] x, int xi, float[] bias) {
        int cols = w.cols();
        switch (w) {
            case WeightMatrix.F32 f -> {
                int wi = f.offset() + r * cols;
                for (int p = bound; p < cols; p++) sum += f.values()[wi + p] * x[xi + p];
            }
            case WeightMatrix.Bf16 b -> {
                int wi = r * cols;
                for (int p = bound; p < cols; p++) sum += bf16(b.bits()[wi + p]) * x[xi + p];
            }
            case WeightMatrix.Bf16Panels b -> throw new IllegalStateException("panels are multiplied by PanelProduct");
        }
        return bias == null ? sum : bias[r] + sum;
    }

    private static FloatVector bf16At(short[] w, int i) {
        return Widen.bf16Bits(ShortVector.fromArray(Widen.SHORTS, w, i));
    }

    private static FloatVector at(float[] a, int i) {
        return FloatVector.fromArray(SPECIES, a, i);
    }

    private static void f32One(float[] w, int wo, int cols, int r0, int r1, float[] x, int xo, float[] bias, float[] y, int yo) {
        int bound = SPECIES.loopBound(cols), bound4 = cols - 4 * LANES;
        for (int r = r0; r < r1; r++) {
            int wi = wo + r * cols, p = 0;
            FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
            for (; p <= bound4; p += 4 * LANES) {
                a0 = at(w, wi + p).fma(at(x, xo + p), a0);
                a1 = at(w, wi + p + LANES).fma(at(x, xo + p + LANES), a1);
                a2 = at(w, wi + p + 2 * LANES).fma(at(x, xo + p + 2 * LANES), a2);
                a3 = at(w, wi + p + 3 * LANES).fma(at(x, xo + p + 3 * LANES), a3);
            }
            for (; p < bound; p += LANES) a0 = at(w, wi + p).fma(at(x, xo + p), a0);
            float sum = sum(a0.add(a1).add(a2.add(a3)));
            for (; p < cols; p++) sum += w[wi + p] * x[xo + p];
            y[yo + r] = bias == null ? sum : bias[r] + sum;
        }
    }

    private static void bf16One(short[] w, int cols, int r0, int r1, float[] x, int xo, float[] bias, float[] y, int yo) {
        int bound = SPECIES.loopBound(cols), bound4 = cols - 4 * LANES;
        for (int r = r0; r < r1; r++) {
            int wi = r * cols, p = 0;
            FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
            for (; p <= bound4; p += 4 * LANES) {
                a0 = bf16At(w, wi + p).fma(at(x, xo + p), a0);
                a1 = bf16At(w, wi + p + LANES).fma(at(x, xo + p + LANES), a1);
                a2 = bf16At(w, wi + p + 2 * LANES).fma(at(x, xo + p + 2 * LANES), a2);
                a3 = bf16At(w, wi + p + 3 * LANES).fma(at(x, xo + p + 3 * LANES), a3);
            }
            for (; p < bound; p += LANES) a0 = bf16At(w, wi + p).fma(at(x, xo + p), a0);
            float sum = sum(a0.add(a1).add(a2.add(a3)));
            for (; p < cols; p++) sum += bf16(w[wi + p]) * x[xo + p];
            y[yo + r] = bias == null ? sum : bias[r] + sum;
        }
    }

    private static void f32Four(float[] w, int wi, int bound, float[] x, int xo, int ldx, float[] sums) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        for (int p = 0; p < bound; p += LANES) {
            FloatVector v = at(w, wi + p);
            a0 = v.fma(at(x, xo + p), a0);
            a1 = v.fma(at(x, xo + ldx + p), a1);
            a2 = v.fma(at(x, xo + 2 * ldx + p), a2);
            a3 = v.fma(at(x, xo + 3 * ldx + p), a3);
        }
        sums[0] = sum(a0);
        sums[1] = sum(a1);
        sums[2] = sum(a2);
        sums[3] = sum(a3);
    }

    private static void bf16Four(short[] w, int wi, int bound, float[] x, int xo, int ldx, float[] sums) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        for (int p = 0; p < bound; p += LANES) {
            FloatVector v = bf16At(w, wi + p);
            a0 = v.fma(at(x, xo + p), a0);
            a1 = v.fma(at(x, xo + ldx + p), a1);
            a2 = v.fma(at(x, xo + 2 * ldx + p), a2);
            a3 = v.fma(at(x, xo + 3 * ldx + p), a3);
        }
        sums[0] = sum(a0);
        sums[1] = sum(a1);
        sums[2] = sum(a2);
        sums[3] = sum(a3);
    }

    private static void f32Eight(float[] w, int wi, int bound, float[] x, int xo, int ldx, float[] sums) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int p = 0; p < bound; p += LANES) {
            FloatVector v = at(w, wi + p);
            int xi = xo + p;
            a0 = v.fma(at(x, xi), a0);
            a1 = v.fma(at(x, xi + ldx), a1);
            a2 = v.fma(at(x, xi + 2 * ldx), a2);
            a3 = v.fma(at(x, xi + 3 * ldx), a3);
            a4 = v.fma(at(x, xi + 4 * ldx), a4);
            a5 = v.fma(at(x, xi + 5 * ldx), a5);
            a6 = v.fma(at(x, xi + 6 * ldx), a6);
            a7 = v.fma(at(x, xi + 7 * ldx), a7);
        }
        sums[0] = sum(a0);
        sums[1] = sum(a1);
        sums[2] = sum(a2);
        sums[3] = sum(a3);
        sums[4] = sum(a4);
        sums[5] = sum(a5);
        sums[6] = sum(a6);
        sums[7] = sum(a7);
    }

    private static void bf16Eight(short[] w, int wi, int bound, float[] x, int xo, int ldx, float[] sums) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int p = 0; p < bound; p += LANES) {
            FloatVector v = bf16At(w, wi + p);
            int xi = xo + p;
            a0 = v.fma(at(x, xi), a0);
            a1 = v.fma(at(x, xi + ldx), a1);
            a2 = v.fma(at(x, xi + 2 * ldx), a2);
            a3 = v.fma(at(x, xi + 3 * ldx), a3);
            a4 = v.fma(at(x, xi + 4 * ldx), a4);
            a5 = v.fma(at(x, xi + 5 * ldx), a5);
            a6 = v.fma(at(x, xi + 6 * ldx), a6);
            a7 = v.fma(at(x, xi + 7 * ldx), a7);
        }
        sums[0] = sum(a0);
        sums[1] = sum(a1);
        sums[2] = sum(a2);
        sums[3] = sum(a3);
        sums[4] = sum(a4);
        sums[5] = sum(a5);
        sums[6] = sum(a6);
        sums[7] = sum(a7);
    }

    /** Lane i with lane i ^ step: the steps of a fixed summation tree (constants, so the JIT folds each shuffle). */
    private static final VectorShuffle<Float> PARTNER_8 = partner(8), PARTNER_4 = partner(4), PARTNER_2 = partner(2), PARTNER_1 = partner(1);

    private static VectorShuffle<Float> partner(int step) {
        return VectorShuffle.fromOp(SPECIES, i -> (i ^ step) % LANES);
    }

    /**
     * The lanes' sum along a fixed tree of pairwise additions: the same bits interpreted and compiled
     * ({@code reduceLanes(ADD)} is free to add in another order once compiled, which made outputs depend
     * on when the JIT kicked in), and no trip through memory as {@link VectorMath#sumLanes} takes.
     */
    private static float sum(FloatVector v) {
        if (LANES > 8) v = v.add(v.rearrange(PARTNER_8));
        if (LANES > 4) v = v.add(v.rearrange(PARTNER_4));
        if (LANES > 2) v = v.add(v.rearrange(PARTNER_2));
        if (LANES > 1) v = v.add(v.rearrange(PARTNER_1));
        return v.lane(0);
    }

    /** One bfloat16 pattern widened, for the tails. */
    private static float bf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
