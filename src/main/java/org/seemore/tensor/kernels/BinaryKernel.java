package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The loops of broadcasting binary arithmetic once the operands' layouts are known. The output is
 * viewed as {@code [outer, inner]} and each operand is {@link Layout#FULL} (a value per output),
 * {@link Layout#ROW} (one row of {@code inner} values repeated over the rows: a bias, a positional
 * table) or {@link Layout#COLUMN} (a value per row repeated along it; a scalar is a column with
 * {@code outer = 1}). Large loops run on the {@link Parallel} pool, split by rows.
 *
 * <p>Every vector loop reads both operands from arrays, a column's value from a small scratch row
 * filled with it: no loop has a broadcast-or-load choice per operand, which the JIT would turn into
 * vectors allocated on the heap. Checked through {@code Elementwise} against {@code ElementwiseReference}.
 */
public final class BinaryKernel {
    /** The four arithmetic ops. */
    public enum Op { ADD, SUB, MUL, DIV }

    /** How an operand covers the {@code [outer, inner]} output. */
    public enum Layout { FULL, ROW, COLUMN }

    /** Elements below which a loop stays on the calling thread. */
    static final int PARALLEL_MIN = 1 << 15;
    /** Longest run handled at once; a column's value is repeated in a scratch row this long. */
    private static final int SPAN = 1024;

    private BinaryKernel() {}

    /** An operand in one row: the array and index its span starts at. */
    private static final class Cursor {
        final float[] data, column = new float[SPAN];
        final int offset, inner;
        final Layout layout;
        float[] array;
        int index;

        Cursor(float[] data, int offset, Layout layout, int inner) {
            this.data = data;
            this.offset = offset;
            this.layout = layout;
            this.inner = inner;
        }

        /** Points at row o, element i (i a multiple of SPAN), for a span of n values. */
        void at(int o, int i, int n) {
            switch (layout) {
                case FULL -> { array = data; index = offset + o * inner + i; }
                case ROW -> { array = data; index = offset + i; }
                case COLUMN -> {
                    if (i == 0) Arrays.fill(column, 0, Math.min(SPAN, inner), data[offset + o]);
                    array = column;
                    index = 0;
                }
            }
        }
    }

    private static int minRows(int inner) {
        return Math.max(1, PARALLEL_MIN / Math.max(inner, 1));
    }

    /** {@code out[o, i] = a(o, i) op b(o, i)} with each operand read through its layout. */
    public static void forward(Op op, float[] a, int ao, Layout la, float[] b, int bo, Layout lb,
                               float[] out, int outer, int inner) {
        if (la == Layout.FULL && lb == Layout.FULL) { // one long row, split evenly
            Parallel.parallelRange(outer * inner, PARALLEL_MIN, (s, e) -> span(op, a, ao + s, b, bo + s, out, s, e - s));
            return;
        }
        Parallel.parallelRange(outer, minRows(inner), (o0, o1) -> {
            Cursor x = new Cursor(a, ao, la, inner), y = new Cursor(b, bo, lb, inner);
            for (int o = o0; o < o1; o++) {
                for (int i = 0; i < inner; i += SPAN) {
                    int n = Math.min(SPAN, inner - i);
                    x.at(o, i, n);
                    y.at(o, i, n);
                    span(op, x.array, x.index, y.array, y.index, out, o * inner + i, n);
                }
            }
        });
    }

    private static void span(Op op, float[] a, int ai, float[] b, int bi, float[] out, int oi, int n) {
        int i = 0, bound = SPECIES.loopBound(n);
        switch (op) { // one plain loop per op: a vector-valued helper or a switch per vector can cost a heap vector each
            case ADD -> { for (; i < bound; i += LANES) v(a, ai + i).add(v(b, bi + i)).intoArray(out, oi + i); }
            case SUB -> { for (; i < bound; i += LANES) v(a, ai + i).sub(v(b, bi + i)).intoArray(out, oi + i); }
            case MUL -> { for (; i < bound; i += LANES) v(a, ai + i).mul(v(b, bi + i)).intoArray(out, oi + i); }
            case DIV -> { for (; i < bound; i += LANES) v(a, ai + i).div(v(b, bi + i)).intoArray(out, oi + i); }
        }
        for (; i < n; i++) {
            float x = a[ai + i], y = b[bi + i];
            out[oi + i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
            };
        }
    }

    /** The vector at a[i]. */
    private static FloatVector v(float[] a, int i) {
        return FloatVector.fromArray(SPECIES, a, i);
    }

    /**
     * The gradient of one operand ({@code a} when {@code forA}, else {@code b}) from the output's
     * gradient g, reduced to that operand's layout and added to {@code gx} (offset 0); with
     * {@code overwrite} it is stored instead, which for a FULL operand may be g itself (in place).
     */
    public static void backward(Op op, boolean forA, float[] g, float[] a, int ao, Layout la, float[] b, int bo, Layout lb,
                                float[] gx, boolean overwrite, int outer, int inner) {
        Layout target = forA ? la : lb;
        if (la == Layout.FULL && lb == Layout.FULL) { // one long row, split evenly
            Parallel.parallelRange(outer * inner, PARALLEL_MIN, (s, e) ->
                    gradSpan(op, forA, g, s, a, ao + s, b, bo + s, gx, s, e - s, overwrite));
        } else if (target == Layout.ROW) { // summed over the rows, in row order
            if (overwrite) Arrays.fill(gx, 0, inner, 0f);
            rows(op, forA, g, a, ao, la, b, bo, lb, gx, false, 0, outer, inner);
        } else {
            Parallel.parallelRange(outer, minRows(inner), (o0, o1) -> rows(op, forA, g, a, ao, la, b, bo, lb, gx, overwrite, o0, o1, inner));
        }
    }

    private static void rows(Op op, boolean forA, float[] g, float[] a, int ao, Layout la, float[] b, int bo, Layout lb,
                             float[] gx, boolean overwrite, int o0, int o1, int inner) {
        Layout target = forA ? la : lb;
        Cursor x = new Cursor(a, ao, la, inner), y = new Cursor(b, bo, lb, inner);
        for (int o = o0; o < o1; o++) {
            float sum = 0;
            for (int i = 0; i < inner; i += SPAN) {
                int n = Math.min(SPAN, inner - i), gi = o * inner + i;
                x.at(o, i, n);
                y.at(o, i, n);
                switch (target) {
                    case FULL -> gradSpan(op, forA, g, gi, x.array, x.index, y.array, y.index, gx, gi, n, overwrite);
                    case ROW -> gradSpan(op, forA, g, gi, x.array, x.index, y.array, y.index, gx, i, n, false);
                    case COLUMN -> sum += gradSum(op, forA, g, gi, x.array, x.index, y.array, y.index, n);
                }
            }
            if (target == Layout.COLUMN) gx[o] = overwrite ? sum : gx[o] + sum;
        }
    }

    /** What the output's gradient is multiplied by for one operand: d(a op b)/da or /db. */
    private enum Slope {
        ONE, MINUS_ONE, B, A, INVERSE_B, MINUS_A_OVER_B_SQUARED;

        static Slope of(Op op, boolean forA) {
            return switch (op) {
                case ADD -> ONE;
                case SUB -> forA ? ONE : MINUS_ONE;
                case MUL -> forA ? B : A;
                case DIV -> forA ? INVERSE_B : MINUS_A_OVER_B_SQUARED;
            };
        }

        float times(float g, float x, float y) {
            return switch (this) {
                case ONE -> g;
                case MINUS_ONE -> -g;
                case B -> g * y;
                case A -> g * x;
                case INVERSE_B -> g / y;
                case MINUS_A_OVER_B_SQUARED -> -(g * x / (y * y));
            };
        }
    }

    /** {@code gx[xi..] (+)= slope · g} over a span; gx may be g (in place, with overwrite). */
    private static void gradSpan(Op op, boolean forA, float[] g, int gi, float[] a, int ai, float[] b, int bi,
                                 float[] gx, int xi, int n, boolean overwrite) {
        Slope slope = Slope.of(op, forA);
        // with overwrite the old gx lanes are masked out of the sum, so gx may be g itself
        VectorMask<Float> keep = SPECIES.maskAll(!overwrite);
        int i = 0, bound = SPECIES.loopBound(n);
        switch (slope) { // one plain loop per slope, as in span
            case ONE -> { for (; i < bound; i += LANES) v(g, gi + i).add(v(gx, xi + i), keep).intoArray(gx, xi + i); }
            case MINUS_ONE -> { for (; i < bound; i += LANES) v(g, gi + i).neg().add(v(gx, xi + i), keep).intoArray(gx, xi + i); }
            case B -> { for (; i < bound; i += LANES) v(g, gi + i).mul(v(b, bi + i)).add(v(gx, xi + i), keep).intoArray(gx, xi + i); }
            case A -> { for (; i < bound; i += LANES) v(g, gi + i).mul(v(a, ai + i)).add(v(gx, xi + i), keep).intoArray(gx, xi + i); }
            case INVERSE_B -> { for (; i < bound; i += LANES) v(g, gi + i).div(v(b, bi + i)).add(v(gx, xi + i), keep).intoArray(gx, xi + i); }
            case MINUS_A_OVER_B_SQUARED -> {
                for (; i < bound; i += LANES) {
                    FloatVector y = v(b, bi + i);
                    v(g, gi + i).mul(v(a, ai + i)).div(y.mul(y)).neg().add(v(gx, xi + i), keep).intoArray(gx, xi + i);
                }
            }
        }
        for (; i < n; i++) {
            float c = slope.times(g[gi + i], a[ai + i], b[bi + i]);
            gx[xi + i] = overwrite ? c : gx[xi + i] + c;
        }
    }

    /** The sum of {@code slope · g} over a span. */
    private static float gradSum(Op op, boolean forA, float[] g, int gi, float[] a, int ai, float[] b, int bi, int n) {
        Slope slope = Slope.of(op, forA);
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0, bound = SPECIES.loopBound(n);
        switch (slope) {
            case ONE -> { for (; i < bound; i += LANES) acc = acc.add(v(g, gi + i)); }
            case MINUS_ONE -> { for (; i < bound; i += LANES) acc = acc.sub(v(g, gi + i)); }
            case B -> { for (; i < bound; i += LANES) acc = v(g, gi + i).fma(v(b, bi + i), acc); }
            case A -> { for (; i < bound; i += LANES) acc = v(g, gi + i).fma(v(a, ai + i), acc); }
            case INVERSE_B -> { for (; i < bound; i += LANES) acc = acc.add(v(g, gi + i).div(v(b, bi + i))); }
            case MINUS_A_OVER_B_SQUARED -> {
                for (; i < bound; i += LANES) {
                    FloatVector y = v(b, bi + i);
                    acc = acc.sub(v(g, gi + i).mul(v(a, ai + i)).div(y.mul(y)));
                }
            }
        }
        float sum = VectorMath.sumLanes(acc);
        for (; i < n; i++) sum += slope.times(g[gi + i], a[ai + i], b[bi + i]);
        return sum;
    }
}
