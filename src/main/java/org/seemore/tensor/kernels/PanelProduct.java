package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * {@link WeightProduct}'s few-row products on a {@link WeightMatrix.Bf16Panels} W: for each panel of
 * {@code P} outputs and each column c, the panel's P weights (two vectors, widened in registers) meet
 * {@code x[i][c]} broadcast for up to eight rows i, each output's sum in its own lane: no sums across
 * lanes, and each panel one sequential stream of memory. Every output adds its columns in the same
 * order whichever rows of W a thread takes, so results do not depend on the thread count. A narrower
 * last panel runs a scalar loop. The prefill widens whole panels into a {@code (cols, n)} block for
 * {@link Gemm} ({@link #widenColumns}).
 */
final class PanelProduct {
    private static final int P = WeightMatrix.Bf16Panels.PANEL;

    private PanelProduct() {}

    /** The {@link WeightProduct#multiplyRows} contract; outputs of a panel outside {@code [r0, r1)} are computed but not stored. */
    static void multiplyRows(WeightMatrix.Bf16Panels w, int r0, int r1, float[] x, int xo, int ldx, int m, float[] bias, float[] y, int yo, int ldy) {
        int cols = w.cols();
        float[] tile = null;
        for (int p0 = r0 - r0 % P; p0 < r1; p0 += P) {
            int width = Math.min(P, w.rows() - p0), lo = Math.max(r0, p0), hi = Math.min(r1, p0 + width);
            if (width < P) {
                narrow(w.bits(), p0 * cols, width, cols, lo - p0, hi - p0, x, xo, ldx, m, bias, p0, y, yo + p0, ldy);
                continue;
            }
            boolean whole = lo == p0 && hi == p0 + P;
            if (!whole && tile == null) tile = new float[WeightProduct.GROUP * P];
            float[] out = whole ? y : tile;
            int i = 0;
            for (; i < m; ) {
                int n = m - i >= WeightProduct.GROUP ? WeightProduct.GROUP : m - i >= 4 ? 4 : 1;
                int d = whole ? yo + i * ldy + p0 : 0, ld = whole ? ldy : P;
                switch (n) {
                    case WeightProduct.GROUP -> eight(w.bits(), p0 * cols, cols, x, xo + i * ldx, ldx, out, d, ld);
                    case 4 -> four(w.bits(), p0 * cols, cols, x, xo + i * ldx, ldx, out, d, ld);
                    default -> one(w.bits(), p0 * cols, cols, x, xo + i * ldx, out, d);
                }
                addBias(bias, p0, n, out, d, ld);
                if (!whole) {
                    for (int k = 0; k < n; k++) System.arraycopy(tile, k * P + lo - p0, y, yo + (i + k) * ldy + lo, hi - lo);
                }
                i += n;
            }
        }
    }

    /** Panel columns {@code [r0, r1)}, as a {@code (cols, r1 - r0)} row-major float block at dst (r0 at a panel's start). */
    static void widenColumns(WeightMatrix.Bf16Panels w, int r0, int r1, float[] dst) {
        int cols = w.cols(), n = r1 - r0;
        short[] bits = w.bits();
        for (int p0 = r0; p0 < r1; p0 += P) {
            int width = Math.min(P, w.rows() - p0), base = p0 * cols, d = p0 - r0;
            for (int c = 0; c < cols; c++) {
                int wi = base + c * width, di = c * n + d;
                if (width == P) {
                    bf16At(bits, wi).intoArray(dst, di);
                    bf16At(bits, wi + LANES).intoArray(dst, di + LANES);
                } else {
                    for (int j = 0; j < width; j++) dst[di + j] = bf16(bits[wi + j]);
                }
            }
        }
    }

    private static void eight(short[] w, int wi, int cols, float[] x, int xo, int ldx, float[] y, int yo, int ldy) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
        FloatVector a40 = z, a41 = z, a50 = z, a51 = z, a60 = z, a61 = z, a70 = z, a71 = z;
        int x1 = xo + ldx, x2 = x1 + ldx, x3 = x2 + ldx, x4 = x3 + ldx, x5 = x4 + ldx, x6 = x5 + ldx, x7 = x6 + ldx;
        for (int c = 0; c < cols; c++) { // the index linear in c, so that the JIT hoists the bounds checks
            int at = wi + c * P;
            FloatVector w0 = bf16At(w, at), w1 = bf16At(w, at + LANES), b;
            b = FloatVector.broadcast(SPECIES, x[xo + c]);
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            b = FloatVector.broadcast(SPECIES, x[x1 + c]);
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            b = FloatVector.broadcast(SPECIES, x[x2 + c]);
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            b = FloatVector.broadcast(SPECIES, x[x3 + c]);
            a30 = w0.fma(b, a30);
            a31 = w1.fma(b, a31);
            b = FloatVector.broadcast(SPECIES, x[x4 + c]);
            a40 = w0.fma(b, a40);
            a41 = w1.fma(b, a41);
            b = FloatVector.broadcast(SPECIES, x[x5 + c]);
            a50 = w0.fma(b, a50);
            a51 = w1.fma(b, a51);
            b = FloatVector.broadcast(SPECIES, x[x6 + c]);
            a60 = w0.fma(b, a60);
            a61 = w1.fma(b, a61);
            b = FloatVector.broadcast(SPECIES, x[x7 + c]);
            a70 = w0.fma(b, a70);
            a71 = w1.fma(b, a71);
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + LANES);
        a10.intoArray(y, yo + ldy);
        a11.intoArray(y, yo + ldy + LANES);
        a20.intoArray(y, yo + 2 * ldy);
        a21.intoArray(y, yo + 2 * ldy + LANES);
        a30.intoArray(y, yo + 3 * ldy);
        a31.intoArray(y, yo + 3 * ldy + LANES);
        a40.intoArray(y, yo + 4 * ldy);
        a41.intoArray(y, yo + 4 * ldy + LANES);
        a50.intoArray(y, yo + 5 * ldy);
        a51.intoArray(y, yo + 5 * ldy + LANES);
        a60.intoArray(y, yo + 6 * ldy);
        a61.intoArray(y, yo + 6 * ldy + LANES);
        a70.intoArray(y, yo + 7 * ldy);
        a71.intoArray(y, yo + 7 * ldy + LANES);
    }

    private static void four(short[] w, int wi, int cols, float[] x, int xo, int ldx, float[] y, int yo, int ldy) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
        int x1 = xo + ldx, x2 = x1 + ldx, x3 = x2 + ldx;
        for (int c = 0; c < cols; c++) { // the index linear in c, so that the JIT hoists the bounds checks
            int at = wi + c * P;
            FloatVector w0 = bf16At(w, at), w1 = bf16At(w, at + LANES), b;
            b = FloatVector.broadcast(SPECIES, x[xo + c]);
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            b = FloatVector.broadcast(SPECIES, x[x1 + c]);
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            b = FloatVector.broadcast(SPECIES, x[x2 + c]);
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            b = FloatVector.broadcast(SPECIES, x[x3 + c]);
            a30 = w0.fma(b, a30);
            a31 = w1.fma(b, a31);
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + LANES);
        a10.intoArray(y, yo + ldy);
        a11.intoArray(y, yo + ldy + LANES);
        a20.intoArray(y, yo + 2 * ldy);
        a21.intoArray(y, yo + 2 * ldy + LANES);
        a30.intoArray(y, yo + 3 * ldy);
        a31.intoArray(y, yo + 3 * ldy + LANES);
    }

    /** One row of x: four columns at a time in separate accumulators, so that loads and FMAs of several columns overlap. */
    private static void one(short[] w, int wi, int cols, float[] x, int xo, float[] y, int yo) {
        FloatVector z = FloatVector.zero(SPECIES), a0 = z, a1 = z, e0 = z, e1 = z, f0 = z, f1 = z, g0 = z, g1 = z;
        int c = 0;
        for (; c + 3 < cols; c += 4) {
            int at = wi + c * P;
            FloatVector b = FloatVector.broadcast(SPECIES, x[xo + c]), d = FloatVector.broadcast(SPECIES, x[xo + c + 1]);
            FloatVector h = FloatVector.broadcast(SPECIES, x[xo + c + 2]), k = FloatVector.broadcast(SPECIES, x[xo + c + 3]);
            a0 = bf16At(w, at).fma(b, a0);
            a1 = bf16At(w, at + LANES).fma(b, a1);
            e0 = bf16At(w, at + P).fma(d, e0);
            e1 = bf16At(w, at + P + LANES).fma(d, e1);
            f0 = bf16At(w, at + 2 * P).fma(h, f0);
            f1 = bf16At(w, at + 2 * P + LANES).fma(h, f1);
            g0 = bf16At(w, at + 3 * P).fma(k, g0);
            g1 = bf16At(w, at + 3 * P + LANES).fma(k, g1);
        }
        for (; c < cols; c++) {
            FloatVector b = FloatVector.broadcast(SPECIES, x[xo + c]);
            a0 = bf16At(w, wi + c * P).fma(b, a0);
            a1 = bf16At(w, wi + c * P + LANES).fma(b, a1);
        }
        a0.add(e0).add(f0.add(g0)).intoArray(y, yo);
        a1.add(e1).add(f1.add(g1)).intoArray(y, yo + LANES);
    }

    /** A last panel narrower than P: plain loops, outputs {@code [j0, j1)} of it. */
    private static void narrow(short[] w, int wi, int width, int cols, int j0, int j1, float[] x, int xo, int ldx, int m, float[] bias, int bo,
                               float[] y, int yo, int ldy) {
        for (int i = 0; i < m; i++) {
            for (int j = j0; j < j1; j++) {
                float sum = 0;
                for (int c = 0; c < cols; c++) sum += bf16(w[wi + c * width + j]) * x[xo + i * ldx + c];
                y[yo + i * ldy + j] = bias == null ? sum : bias[bo + j] + sum;
            }
        }
    }

    /** The bias added to n stored rows of a panel's outputs, after the kernels: vector arguments to a helper they call would be boxed. */
    private static void addBias(float[] bias, int bo, int n, float[] y, int yo, int ldy) {
        if (bias == null) return;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < P; j++) y[yo + i * ldy + j] = bias[bo + j] + y[yo + i * ldy + j];
        }
    }

    private static FloatVector bf16At(short[] w, int i) {
        return Widen.bf16Bits(ShortVector.fromArray(Widen.SHORTS, w, i));
    }

    private static float bf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
