package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * Attention of one query over the cached keys and values of one head, the inner step of decoding:
 * {@code y = softmax(scale · K·q) · V}. The keys are read from a transposed copy ({@code hd} rows of
 * {@code stride} positions, stride a whole number of vectors), so the scores of sixteen positions
 * are sixteen lanes of one FMA chain over the head width (as {@link HeadProducts#scores} computes
 * them), with no horizontal sums; the values stay one row per position. The softmax is
 * {@link SoftmaxKernel#row}'s. {@link DecodeAttentionReference} is the plain version.
 */
public final class DecodeAttention {
    private DecodeAttention() {}

    /** Positions rounded up to whole vectors: the row length of the transposed keys and of the scores. */
    public static int padded(int positions) {
        return HeadProducts.padded(positions);
    }

    /**
     * One head: query {@code q[qo .. qo+hd)}, keys {@code keysT[ko + d*stride + j]} (position j,
     * component d), values {@code values[vo + j*hd + d]}, for the first {@code length} positions;
     * writes {@code y[yo .. yo+hd)}. {@code scores} holds at least {@link #padded}(length) floats;
     * key columns past {@code length} are read (up to the padding) but do not count.
     */
    public static void attend(float[] q, int qo, float[] keysT, int ko, int stride, float[] values, int vo,
                              int length, int hd, float scale, float[] scores, float[] y, int yo) {
        scores(q, qo, keysT, ko, stride, length, hd, scores);
        SoftmaxKernel.row(scores, 0, scores, 0, length, length, scale);
        combine(scores, values, vo, length, hd, y, yo);
    }

    /**
     * Grouped-query attention of one position: {@code group} query heads that share one cached key
     * and value head (Ainslie et al. 2023; Hugging Face's repeat_kv gives query head h the kv head
     * {@code h / group}). Query g is {@code q[qo + g*hd ..]}, its output {@code y[yo + g*hd ..]}; keys and
     * values as in {@link #attend}. With {@code keyMask} (null: none), position j counts only when
     * {@code keyMask[mo + j] != 0} (the padding of a left-padded batch); a query that sees no position
     * gets the mean of the values, as Hugging Face's eager attention gives it (all its scores round
     * to finfo.min). Without a mask each query gets the bits {@link #attend} gives it.
     */
    public static void attendGroup(float[] q, int qo, int group, float[] keysT, int ko, int stride, float[] values, int vo,
                                   int length, int hd, float scale, int[] keyMask, int mo, float[] scores, float[] y, int yo) {
        for (int g = 0; g < group; g++) {
            int qg = qo + g * hd, yg = yo + g * hd;
            scores(q, qg, keysT, ko, stride, length, hd, scores);
            boolean any = keyMask == null;
            if (keyMask != null) {
                for (int j = 0; j < length; j++) {
                    if (keyMask[mo + j] != 0) any = true; else scores[j] = Float.NEGATIVE_INFINITY;
                }
            }
            if (any) {
                SoftmaxKernel.row(scores, 0, scores, 0, length, length, scale);
            } else {
                java.util.Arrays.fill(scores, 0, length, 1f / length);
            }
            combine(scores, values, vo, length, hd, y, yg);
        }
    }

    /** {@code y[yo ..] = sum_j p_j v_j} over hd columns: vector columns when hd is whole vectors, scalar FMAs otherwise. */
    private static void combine(float[] p, float[] values, int vo, int length, int hd, float[] y, int yo) {
        if (hd % LANES == 0) {
            for (int col = 0; col < hd; col += LANES) combineColumns(p, values, vo + col, length, hd, y, yo + col);
        } else {
            for (int d = 0; d < hd; d++) {
                float sum = 0f;
                for (int j = 0; j < length; j++) sum = Math.fma(p[j], values[vo + j * hd + d], sum);
                y[yo + d] = sum;
            }
        }
    }

    /** {@code scores[j] = sum_d keysT[ko + d*stride + j] * q[qo + d]} for j below length rounded up to whole vectors. */
    private static void scores(float[] q, int qo, float[] keysT, int ko, int stride, int length, int hd, float[] scores) {
        for (int j = 0; j < length; j += LANES) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int d = 0; d < hd; d++) {
                acc = FloatVector.fromArray(SPECIES, keysT, ko + d * stride + j).fma(FloatVector.broadcast(SPECIES, q[qo + d]), acc);
            }
            acc.intoArray(scores, j);
        }
    }

    /** One vector of columns of {@code y = sum_j p_j v_j}, the FMAs in position order. */
    private static void combineColumns(float[] p, float[] values, int vo, int length, int hd, float[] y, int yo) {
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int j = 0; j < length; j++) {
            acc = FloatVector.fromArray(SPECIES, values, vo + j * hd).fma(FloatVector.broadcast(SPECIES, p[j]), acc);
        }
        acc.intoArray(y, yo);
    }
}
