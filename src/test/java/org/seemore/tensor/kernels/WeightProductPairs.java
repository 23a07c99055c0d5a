package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.KernelPairs.ODD;
import static org.seemore.tensor.kernels.KernelPairs.random;
import static org.seemore.tensor.kernels.KernelPairs.sizes;

import java.util.List;
import java.util.SplittableRandom;

/**
 * {@link WeightProduct} against {@link WeightProductReference}, for {@code FastReferencePairsTest}:
 * float32, bfloat16 and bfloat16 panel weights, every group of rows of x (one, four, eight and what is left, and the
 * block-widened {@link Gemm} path past {@link WeightProduct#MAX_SMALL_ROWS}), more weight rows than a cached chunk, with and without a
 * bias, strided x and y, several products sharing one x. The size is the number of columns.
 */
public final class WeightProductPairs {
    private WeightProductPairs() {}

    /** rows x cols of {@code values[4 ..]}: float32, bfloat16 row-major, or bfloat16 in panels. */
    private static WeightMatrix matrix(String kind, float[] values, int rows, int cols) {
        return switch (kind) {
            case "f32" -> new WeightMatrix.F32(values, values.length - rows * cols, rows, cols);
            case "bf16" -> WeightMatrix.Bf16.rounded(values, values.length - rows * cols, rows, cols);
            default -> WeightMatrix.Bf16Panels.of(WeightMatrix.Bf16.rounded(values, values.length - rows * cols, rows, cols));
        };
    }

    public static List<Pair> all() {
        return List.of(new Pair("WeightProduct.multiply", sizes(ODD, new int[] {16, 64, 65, 200}), (cols, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            Outcome outcome = new Outcome();
            for (int m : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 21}) {
                for (String kind : new String[] {"f32", "bf16", "panels"}) {
                    int[] rows = {1, 5, 33, 70};
                    int ldx = cols + 3, xo = 2;
                    float[] x = random(random, xo + m * ldx);
                    WeightProduct.Product[] products = new WeightProduct.Product[rows.length];
                    float[][] want = new float[rows.length][];
                    for (int k = 0; k < rows.length; k++) {
                        int n = rows[k], ldy = n + 2, yo = 1;
                        float[] values = random(random, 4 + n * cols);
                        WeightMatrix w = matrix(kind, values, n, cols);
                        float[] bias = k % 2 == 0 ? null : random(random, n), y = random(random, yo + m * ldy);
                        want[k] = y.clone();
                        WeightProductReference.multiplyRows(w, 0, n, x, xo, ldx, m, bias, want[k], yo, ldy);
                        products[k] = new WeightProduct.Product(w, bias, y, yo, ldy);
                    }
                    WeightProduct.multiply(x, xo, ldx, m, products);
                    for (int k = 0; k < rows.length; k++) {
                        outcome.absolute("m=%d rows=%d cols=%d %s".formatted(m, rows[k], cols, kind),
                                products[k].y(), want[k], 2e-6 * cols + 1e-6);
                    }
                    // a range of weight rows alone leaves the other outputs as they were
                    float[] part = random(random, m * 70), partWant = part.clone();
                    WeightMatrix w = products[3].w();
                    WeightProduct.multiplyRows(w, 7, 40, x, xo, ldx, m, null, part, 0, 70);
                    WeightProductReference.multiplyRows(w, 7, 40, x, xo, ldx, m, null, partWant, 0, 70);
                    outcome.absolute("rows 7..40, m=%d %s".formatted(m, kind), part, partWant, 2e-6 * cols + 1e-6);
                }
            }
            // a bfloat16 W of more rows than one widened block holds (at least 100 columns, so that it stays
            // small): the blocks' outputs land side by side
            int m = 17, k = Math.max(cols, 100), n = WeightProduct.BLOCK_FLOATS / k + 35;
            float[] x = random(random, m * k), bias = random(random, n);
            for (String kind : new String[] {"bf16", "panels"}) {
                WeightMatrix w = matrix(kind, random(random, n * k), n, k);
                float[] y = new float[m * n], want = y.clone();
                WeightProductReference.multiplyRows(w, 0, n, x, 0, k, m, bias, want, 0, n);
                WeightProduct.multiply(x, 0, k, m, new WeightProduct.Product(w, bias, y, 0, n));
                outcome.absolute("blocks, rows=%d cols=%d %s".formatted(n, k, kind), y, want, 2e-6 * k + 1e-6);
            }
            // more weight rows than one cached chunk of the few-row products holds, with a remainder of x's rows:
            // every chunk meets every row of x
            for (int rowsOfX : new int[] {3, 13}) {
                int tall = WeightProduct.CHUNK_FLOATS / cols + 9;
                float[] xs = random(random, rowsOfX * cols);
                for (String kind : new String[] {"f32", "bf16"}) {
                    WeightMatrix w = matrix(kind, random(random, tall * cols), tall, cols);
                    float[] y = new float[rowsOfX * tall], want = y.clone();
                    WeightProductReference.multiplyRows(w, 0, tall, xs, 0, cols, rowsOfX, null, want, 0, tall);
                    WeightProduct.multiplyRows(w, 0, tall, xs, 0, cols, rowsOfX, null, y, 0, tall);
                    outcome.absolute("chunks, m=%d rows=%d cols=%d %s".formatted(rowsOfX, tall, cols, kind), y, want, 2e-6 * cols + 1e-6);
                }
            }
            return outcome;
        }));
    }
}
