package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The loops of broadcasting binary arithmetic once the operands' layouts are known. The output is
 * viewed as {@code [outer, inner]} and each operand is {@link Layout#FULL} (a value per output),
 * {@link Layout#ROW} (one row of {@code inner} values repeated over the rows: a bias, a positional
 * table) or {@link Layout#COLUMN} (a value per row repeated along it; a scalar is a column with
 * {@code outer = 1}). Large loops run on the {@link Parallel} pool, split by rows or elements.
 */
public final class BinaryKernel {
    /** The four arithmetic ops. */
    public enum Op { ADD, SUB, MUL, DIV }

    /** How an operand covers the {@code [outer, inner]} output. */
    public enum Layout { FULL, ROW, COLUMN }

    /** Elements below which a loop stays on the calling thread. */
    static final int PARALLEL_MIN = 1 << 15;

    private BinaryKernel() {}

    /** {@code out[o, i] = a(o, i) op b(o, i)} with each operand read through its layout. */
    public static void forward(Op op, float[] a, int ao, Layout la, float[] b, int bo, Layout lb,
                               float[] out, int outer, int inner) {
        if (la == Layout.FULL && lb == Layout.FULL) {
            Parallel.parallelRange(outer * inner, PARALLEL_MIN, (s, e) -> row(op, a, ao + s, false, b, bo + s, false, out, s, e - s));
            return;
        }
        Parallel.parallelRange(outer, Math.max(1, PARALLEL_MIN / Math.max(inner, 1)), (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                row(op, a, at(ao, la, o, inner), la == Layout.COLUMN, b, at(bo, lb, o, inner), lb == Layout.COLUMN, out, o * inner, inner);
            }
        });
    }

    /** Where row o of an operand starts (its single value for a column). */
    private static int at(int off, Layout layout, int o, int inner) {
        return switch (layout) {
            case FULL -> off + o * inner;
            case ROW -> off;
            case COLUMN -> off + o;
        };
    }

    private static void row(Op op, float[] a, int ai, boolean aScalar, float[] b, int bi, boolean bScalar,
                            float[] out, int oi, int n) {
        FloatVector sa = aScalar ? FloatVector.broadcast(SPECIES, a[ai]) : null;
        FloatVector sb = bScalar ? FloatVector.broadcast(SPECIES, b[bi]) : null;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector x = aScalar ? sa : FloatVector.fromArray(SPECIES, a, ai + i);
            FloatVector y = bScalar ? sb : FloatVector.fromArray(SPECIES, b, bi + i);
            apply(op, x, y).intoArray(out, oi + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector x = aScalar ? sa : FloatVector.fromArray(SPECIES, a, ai + i, m);
            FloatVector y = bScalar ? sb : FloatVector.fromArray(SPECIES, b, bi + i, m);
            apply(op, x, y).intoArray(out, oi + i, m);
        }
    }

    private static FloatVector apply(Op op, FloatVector x, FloatVector y) {
        return switch (op) {
            case ADD -> x.add(y);
            case SUB -> x.sub(y);
            case MUL -> x.mul(y);
            case DIV -> x.div(y);
        };
    }

    /**
     * The gradient of one operand ({@code a} when {@code forA}, else {@code b}) from the output's
     * gradient g, reduced to that operand's layout and added to {@code gx} (offset 0); with
     * {@code overwrite} it is stored instead, which for a FULL operand may be g itself (in place).
     */
    public static void backward(Op op, boolean forA, float[] g, float[] a, int ao, Layout la, float[] b, int bo, Layout lb,
                                float[] gx, boolean overwrite, int outer, int inner) {
        Layout target = forA ? la : lb;
        boolean needA = !forA && (op == Op.MUL || op == Op.DIV);
        boolean needB = (forA && (op == Op.MUL || op == Op.DIV)) || (!forA && op == Op.DIV);
        switch (target) {
            case FULL -> {
                if (la == Layout.FULL && lb == Layout.FULL) {
                    Parallel.parallelRange(outer * inner, PARALLEL_MIN, (s, e) -> gradRow(op, forA, g, s,
                            needA ? a : null, ao + s, false, needB ? b : null, bo + s, false, gx, s, e - s, overwrite));
                } else {
                    Parallel.parallelRange(outer, Math.max(1, PARALLEL_MIN / Math.max(inner, 1)), (o0, o1) -> {
                        for (int o = o0; o < o1; o++) {
                            gradRow(op, forA, g, o * inner, needA ? a : null, at(ao, la, o, inner), la == Layout.COLUMN,
                                    needB ? b : null, at(bo, lb, o, inner), lb == Layout.COLUMN, gx, o * inner, inner, overwrite);
                        }
                    });
                }
            }
            case ROW -> { // summed over the rows, in row order
                if (overwrite) java.util.Arrays.fill(gx, 0, inner, 0f);
                for (int o = 0; o < outer; o++) {
                    gradRow(op, forA, g, o * inner, needA ? a : null, at(ao, la, o, inner), la == Layout.COLUMN,
                            needB ? b : null, at(bo, lb, o, inner), lb == Layout.COLUMN, gx, 0, inner, false);
                }
            }
            case COLUMN -> Parallel.parallelRange(outer, Math.max(1, PARALLEL_MIN / Math.max(inner, 1)), (o0, o1) -> {
                for (int o = o0; o < o1; o++) {
                    float s = gradRowSum(op, forA, g, o * inner, needA ? a : null, at(ao, la, o, inner), la == Layout.COLUMN,
                            needB ? b : null, at(bo, lb, o, inner), lb == Layout.COLUMN, inner);
                    gx[o] = overwrite ? s : gx[o] + s;
                }
            });
        }
    }

    /** {@code d out / d operand · g} for one vector of lanes; x and y are a's and b's values (null when unused). */
    private static FloatVector contribution(Op op, boolean forA, FloatVector g, FloatVector x, FloatVector y) {
        return switch (op) {
            case ADD -> g;
            case SUB -> forA ? g : g.neg();
            case MUL -> forA ? g.mul(y) : g.mul(x);
            case DIV -> forA ? g.div(y) : g.mul(x).div(y.mul(y)).neg();
        };
    }

    private static void gradRow(Op op, boolean forA, float[] g, int gi, float[] a, int ai, boolean aScalar,
                                float[] b, int bi, boolean bScalar, float[] gx, int xi, int n, boolean overwrite) {
        FloatVector sa = a != null && aScalar ? FloatVector.broadcast(SPECIES, a[ai]) : null;
        FloatVector sb = b != null && bScalar ? FloatVector.broadcast(SPECIES, b[bi]) : null;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector x = a == null ? null : aScalar ? sa : FloatVector.fromArray(SPECIES, a, ai + i);
            FloatVector y = b == null ? null : bScalar ? sb : FloatVector.fromArray(SPECIES, b, bi + i);
            FloatVector c = contribution(op, forA, FloatVector.fromArray(SPECIES, g, gi + i), x, y);
            (overwrite ? c : c.add(FloatVector.fromArray(SPECIES, gx, xi + i))).intoArray(gx, xi + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector x = a == null ? null : aScalar ? sa : FloatVector.fromArray(SPECIES, a, ai + i, m);
            FloatVector y = b == null ? null : bScalar ? sb : FloatVector.fromArray(SPECIES, b, bi + i, m);
            FloatVector c = contribution(op, forA, FloatVector.fromArray(SPECIES, g, gi + i, m), x, y);
            (overwrite ? c : c.add(FloatVector.fromArray(SPECIES, gx, xi + i, m))).intoArray(gx, xi + i, m);
        }
    }

    private static float gradRowSum(Op op, boolean forA, float[] g, int gi, float[] a, int ai, boolean aScalar,
                                    float[] b, int bi, boolean bScalar, int n) {
        FloatVector sa = a != null && aScalar ? FloatVector.broadcast(SPECIES, a[ai]) : null;
        FloatVector sb = b != null && bScalar ? FloatVector.broadcast(SPECIES, b[bi]) : null;
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector x = a == null ? null : aScalar ? sa : FloatVector.fromArray(SPECIES, a, ai + i);
            FloatVector y = b == null ? null : bScalar ? sb : FloatVector.fromArray(SPECIES, b, bi + i);
            acc = acc.add(contribution(op, forA, FloatVector.fromArray(SPECIES, g, gi + i), x, y));
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector x = a == null ? null : aScalar ? sa : FloatVector.fromArray(SPECIES, a, ai + i, m);
            FloatVector y = b == null ? null : bScalar ? sb : FloatVector.fromArray(SPECIES, b, bi + i, m);
            // masked-off lanes: g is 0 there but y may be 0 too (0/0 for DIV), so blend them out
            acc = acc.add(contribution(op, forA, FloatVector.fromArray(SPECIES, g, gi + i, m), x, y), m);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
