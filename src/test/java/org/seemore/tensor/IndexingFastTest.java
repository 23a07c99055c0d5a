package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.seemore.tensor.FastVsReference.compare;
import static org.seemore.tensor.FastVsReference.random;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Index ops and the fused expert combine against {@link IndexingReference}. */
class IndexingFastTest {
    private final Rng rng = new Rng(8);

    @Test
    void indexSelectAndIndexAdd() {
        for (int width : new int[] {1, 3, 17, 33, 65}) {
            int[] index = {4, 0, 4, 2, 2, 1};
            compare("indexSelect " + width, in -> Indexing.indexSelect(in.get(0), index), in -> IndexingReference.indexSelect(in.get(0), index),
                    random(rng, 1f, 5, width));
            compare("indexAdd " + width, in -> Indexing.indexAdd(in.get(0), index, in.get(1)), in -> IndexingReference.indexAdd(in.get(0), index, in.get(1)),
                    random(rng, 1f, 5, width), random(rng, 1f, index.length, width));
        }
    }

    /** A random top-k routing of n tokens to e experts: per expert, its tokens and their (token, slot) indices. */
}
