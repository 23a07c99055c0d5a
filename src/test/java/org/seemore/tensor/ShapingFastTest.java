package org.seemore.tensor;

import static org.seemore.tensor.FastVsReference.compare;
import static org.seemore.tensor.FastVsReference.random;

import org.junit.jupiter.api.Test;

/** Permute without an index map against {@link ShapingReference}, and the views' gradient hand-over. */
class ShapingFastTest {
    private final Rng rng = new Rng(5);

    @Test
    void permuteEveryOrderOfOddShapes() {
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int[] p : perms) {
            for (int[] shape : new int[][] {{3, 17, 5}, {1, 33, 2}, {65, 1, 3}}) {
                compare("permute " + Shapes.str(shape) + " by " + java.util.Arrays.toString(p),
                        in -> Shaping.permute(in.get(0), p), in -> ShapingReference.permute(in.get(0), p), random(rng, 1f, shape));
            }
        }
        compare("permute of the attention split", in -> Shaping.permute(Shaping.reshape(in.get(0), 2, 7, 3, 4, 5), 2, 0, 3, 1, 4),
                in -> ShapingReference.permute(Shaping.reshape(in.get(0), 2, 7, 3, 4, 5), 2, 0, 3, 1, 4), random(rng, 1f, 2, 7, 60));
        compare("permute of a row slice", in -> Shaping.permute(Shaping.sliceRows(in.get(0), 1, 2), 1, 0),
                in -> ShapingReference.permute(Shaping.sliceRows(in.get(0), 1, 2), 1, 0), random(rng, 1f, 4, 3));
        compare("permute of a scalar", in -> Shaping.permute(in.get(0)), in -> ShapingReference.permute(in.get(0)), random(rng, 1f));
    }

    @Test
    void viewsHandTheirGradientOnAndStillAccumulate() {
        // x feeds a reshape (gradient handed over) and a slice of rows (added): both must arrive
        compare("reshape + sliceRows", in -> Elementwise.add(Shaping.reshape(Shaping.sliceRows(in.get(0), 0, 4), 12),
                        Shaping.reshape(Shaping.sliceRows(in.get(0), 0, 4), 12)),
                in -> ElementwiseReference.add(ElementwiseReference.scale(Shaping.reshape(in.get(0), 12), 1f),
                        ElementwiseReference.scale(Shaping.reshape(in.get(0), 12), 1f)), random(rng, 1f, 4, 3));
        compare("concat and slice", in -> Shaping.slice(Shaping.concat(1, in.get(0), in.get(1)), 1, 1, 3),
                in -> ElementwiseReference.scale(Shaping.slice(Shaping.concat(1, in.get(0), in.get(1)), 1, 1, 3), 1f),
                random(rng, 1f, 2, 2, 17), random(rng, 1f, 2, 3, 17));
    }
}
