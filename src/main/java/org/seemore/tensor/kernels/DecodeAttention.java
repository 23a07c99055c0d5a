package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * Attention of one query over the cached keys and values of one head, the inner step of decoding:
 * {@code y = softmax(scale · K·q) · V}. The keys are stored in blocks of {@code LANES} positions,
 * each block transposed ({@code hd} rows of LANES: {@link #keyAt}), so the scores of sixteen
 * positions are sixteen lanes of one FMA chain over the head width (as {@link HeadProducts#scores}
 * computes them), with no horizontal sums, and a block is one sequential run of memory: a fully
 * transposed cache ({@code hd} rows of all positions) had every block read from hd rows a whole
 * capacity apart, hd streams at once, which the prefetchers do not follow. The values stay one row per
 * position. The softmax is {@link SoftmaxKernel#row}'s. {@link DecodeAttentionReference} is the plain
 * version.
 */
public final class DecodeAttention {
    private DecodeAttention() {}

    /** Positions rounded up to whole vectors (whole key blocks): the row length of the scores. */
    public static int padded(int positions) {
        return HeadProducts.padded(positions);
    }

    /** Floats of one head's keys for {@code capacity} positions: whole blocks of LANES positions. */
    public static int keysSize(int capacity, int hd) {
        return padded(capacity) * hd;
    }

    /** Where component d of position j's key is, from the head's start: block {@code j / LANES}, row d, lane {@code j % LANES}. */
    public static int keyAt(int j, int d, int hd) {
        return (j / LANES) * hd * LANES + d * LANES + j % LANES;
    }

    /** Stores position j's key {@code key[from .. from+hd)} into a head's blocks starting at {@code keys[ko]}. */
    public static void storeKey(float[] key, int from, float[] keys, int ko, int j, int hd) {
        int at = ko + keyAt(j, 0, hd);
        for (int d = 0; d < hd; d++) keys[at + d * LANES] = key[from + d];
    }

    /**
     * One head: query {@code q[qo .. qo+hd)}, keys {@code keys[ko + keyAt(j, d, hd)]} (position j,
     * component d), values {@code values[vo + j*hd + d]}, for the first {@code length} positions;
     * writes {@code y[yo .. yo+hd)}. {@code scores} holds at least {@link #padded}(length) floats;
     * key lanes past {@code length} are read (up to the block's end) but do not count.
     */
    public static void attend(float[] q, int qo, float[] keys, int ko, float[] values, int vo,
                              int length, int hd, float scale, float[] scores, float[] y, int yo) {
        scores(q, qo, keys, ko, length, hd, scores, 0);
        SoftmaxKernel.row(scores, 0, scores, 0, length, length, scale);
        combine(scores, 0, values, vo, length, hd, y, yo);
    }

    /**
     * Grouped-query attention of one position: {@code group} query heads that share one cached key
     * and value head (Ainslie et al. 2023; Hugging Face's repeat_kv gives query head h the kv head
     * {@code h / group}). Query g is {@code q[qo + g*hd ..]}, its output {@code y[yo + g*hd ..]}; keys and
     * values as in {@link #attend}; {@code scores} holds at least {@code group} times
     * {@link #padded}(length) floats. The queries go four (or, at the end, three) at a time through the keys and values, so
     * each cached vector is loaded once per four query heads. With {@code keyMask} (null: none),
     * position j counts only when {@code keyMask[mo + j] != 0} (the padding of a left-padded batch); a
     * query that sees no position gets the mean of the values, as Hugging Face's eager attention gives
     * it (all its scores round to finfo.min). Each query gets the bits {@link #attend} would give it
     * (the same sums in the same order), when nothing is masked.
     */
    public static void attendGroup(float[] q, int qo, int group, float[] keys, int ko, float[] values, int vo,
                                   int length, int hd, float scale, int[] keyMask, int mo, float[] scores, float[] y, int yo) {
        int width = padded(length), g = 0;
        for (; g + 4 <= group; g += 4) scoresFour(q, qo + g * hd, keys, ko, length, hd, scores, g * width, width);
        if (group - g == 3) { // SmolLM2's and Qwen2-0.5B's groups (3, 4 + 3): the keys are read once for the three
            scoresThree(q, qo + g * hd, keys, ko, length, hd, scores, g * width, width);
            g += 3;
        }
        for (; g < group; g++) scores(q, qo + g * hd, keys, ko, length, hd, scores, g * width);
        for (g = 0; g < group; g++) {
            int row = g * width;
            boolean any = keyMask == null;
            if (keyMask != null) {
                for (int j = 0; j < length; j++) {
                    if (keyMask[mo + j] != 0) any = true; else scores[row + j] = Float.NEGATIVE_INFINITY;
                }
            }
            if (any) {
                SoftmaxKernel.row(scores, row, scores, row, length, length, scale);
            } else {
                java.util.Arrays.fill(scores, row, row + length, 1f / length);
            }
        }
        if (hd % LANES != 0) {
            for (g = 0; g < group; g++) combine(scores, g * width, values, vo, length, hd, y, yo + g * hd);
            return;
        }
        for (int col = 0; col < hd; col += LANES) {
            for (g = 0; g + 4 <= group; g += 4) combineFour(scores, g * width, width, values, vo + col, length, hd, y, yo + g * hd + col);
            if (group - g == 3) {
                combineThree(scores, g * width, width, values, vo + col, length, hd, y, yo + g * hd + col);
                g += 3;
            }
            for (; g < group; g++) combineColumns(scores, g * width, values, vo + col, length, hd, y, yo + g * hd + col);
        }
    }

    /** {@code y[yo ..] = sum_j p_j v_j} over hd columns: vector columns when hd is whole vectors, scalar FMAs otherwise. */
    private static void combine(float[] p, int po, float[] values, int vo, int length, int hd, float[] y, int yo) {
        if (hd % LANES == 0) {
            for (int col = 0; col < hd; col += LANES) combineColumns(p, po, values, vo + col, length, hd, y, yo + col);
        } else {
            for (int d = 0; d < hd; d++) {
                float sum = 0f;
                for (int j = 0; j < length; j++) sum = Math.fma(p[po + j], values[vo + j * hd + d], sum);
                y[yo + d] = sum;
            }
        }
    }

    /** {@code scores[so + j] = sum_d keys[ko + keyAt(j, d, hd)] * q[qo + d]} for j below length rounded up to whole vectors. */
    private static void scores(float[] q, int qo, float[] keys, int ko, int length, int hd, float[] scores, int so) {
        for (int j = 0; j < length; j += LANES) {
            FloatVector acc = FloatVector.zero(SPECIES);
            int block = ko + j * hd; // keyAt(j, 0, hd), j a multiple of LANES
            for (int d = 0; d < hd; d++) {
                acc = FloatVector.fromArray(SPECIES, keys, block + d * LANES).fma(FloatVector.broadcast(SPECIES, q[qo + d]), acc);
            }
            acc.intoArray(scores, so + j);
        }
    }

    /** {@link #scores} of four queries (hd apart from qo) into four rows (width apart from so), each key vector loaded once. */
    private static void scoresFour(float[] q, int qo, float[] keys, int ko, int length, int hd, float[] scores, int so, int width) {
        for (int j = 0; j < length; j += LANES) {
            int block = ko + j * hd;
            FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (int d = 0; d < hd; d++) {
                FloatVector k = FloatVector.fromArray(SPECIES, keys, block + d * LANES);
                acc0 = k.fma(FloatVector.broadcast(SPECIES, q[qo + d]), acc0);
                acc1 = k.fma(FloatVector.broadcast(SPECIES, q[qo + hd + d]), acc1);
                acc2 = k.fma(FloatVector.broadcast(SPECIES, q[qo + 2 * hd + d]), acc2);
                acc3 = k.fma(FloatVector.broadcast(SPECIES, q[qo + 3 * hd + d]), acc3);
            }
            acc0.intoArray(scores, so + j);
            acc1.intoArray(scores, so + width + j);
            acc2.intoArray(scores, so + 2 * width + j);
            acc3.intoArray(scores, so + 3 * width + j);
        }
    }

    /** {@link #scoresFour} of three queries. */
    private static void scoresThree(float[] q, int qo, float[] keys, int ko, int length, int hd, float[] scores, int so, int width) {
        for (int j = 0; j < length; j += LANES) {
            int block = ko + j * hd;
            FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = acc0, acc2 = acc0;
            for (int d = 0; d < hd; d++) {
                FloatVector k = FloatVector.fromArray(SPECIES, keys, block + d * LANES);
                acc0 = k.fma(FloatVector.broadcast(SPECIES, q[qo + d]), acc0);
                acc1 = k.fma(FloatVector.broadcast(SPECIES, q[qo + hd + d]), acc1);
                acc2 = k.fma(FloatVector.broadcast(SPECIES, q[qo + 2 * hd + d]), acc2);
            }
            acc0.intoArray(scores, so + j);
            acc1.intoArray(scores, so + width + j);
            acc2.intoArray(scores, so + 2 * width + j);
        }
    }

    /** {@link #combineFour} of three queries. */
    private static void combineThree(float[] p, int po, int width, float[] values, int vo, int length, int hd, float[] y, int yo) {
        FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = acc0, acc2 = acc0;
        for (int j = 0; j < length; j++) {
            FloatVector v = FloatVector.fromArray(SPECIES, values, vo + j * hd);
            acc0 = v.fma(FloatVector.broadcast(SPECIES, p[po + j]), acc0);
            acc1 = v.fma(FloatVector.broadcast(SPECIES, p[po + width + j]), acc1);
            acc2 = v.fma(FloatVector.broadcast(SPECIES, p[po + 2 * width + j]), acc2);
        }
        acc0.intoArray(y, yo);
        acc1.intoArray(y, yo + hd);
        acc2.intoArray(y, yo + 2 * hd);
    }

    /** One vector of columns of {@code y = sum_j p_j v_j}, the FMAs in position order. */
    private static void combineColumns(float[] p, int po, float[] values, int vo, int length, int hd, float[] y, int yo) {
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int j = 0; j < length; j++) {
            acc = FloatVector.fromArray(SPECIES, values, vo + j * hd).fma(FloatVector.broadcast(SPECIES, p[po + j]), acc);
        }
        acc.intoArray(y, yo);
    }

    /** {@link #combineColumns} of four queries (probabilities width apart from po, outputs hd apart from yo), each value vector loaded once. */
    private static void combineFour(float[] p, int po, int width, float[] values, int vo, int length, int hd, float[] y, int yo) {
        FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int j = 0; j < length; j++) {
            FloatVector v = FloatVector.fromArray(SPECIES, values, vo + j * hd);
            acc0 = v.fma(FloatVector.broadcast(SPECIES, p[po + j]), acc0);
            acc1 = v.fma(FloatVector.broadcast(SPECIES, p[po + width + j]), acc1);
            acc2 = v.fma(FloatVector.broadcast(SPECIES, p[po + 2 * width + j]), acc2);
            acc3 = v.fma(FloatVector.broadcast(SPECIES, p[po + 3 * width + j]), acc3);
        }
        acc0.intoArray(y, yo);
        acc1.intoArray(y, yo + hd);
        acc2.intoArray(y, yo + 2 * hd);
        acc3.intoArray(y, yo + 3 * hd);
    }
}
