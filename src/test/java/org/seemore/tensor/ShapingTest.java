package org.seemore.tensor;

import static org.seemore.tensor.FastVsReference.compare;
import static org.seemore.tensor.FastVsReference.random;

import org.junit.jupiter.api.Test;

/** The views' gradient hand-over: a gradient handed to a view's parent still adds up with another. */
class ShapingTest {
    private final Rng rng = new Rng(5);

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
