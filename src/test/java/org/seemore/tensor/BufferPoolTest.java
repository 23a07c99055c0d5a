package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BufferPoolTest {

    @Test
    void sizeClassesHoldTheRequestWastingAtMostAnEighth() {
        int previous = 0;
        for (int n = 1; n < 200_000; n += 7) {
            int cap = BufferPool.capacity(n);
            assertThat(cap).isGreaterThanOrEqualTo(n).isGreaterThanOrEqualTo(previous);
            assertThat((double) cap).isLessThanOrEqualTo(n * 1.125 + 1);
            previous = cap;
        }
        assertThat(BufferPool.capacity(4096)).isEqualTo(4096);
        assertThat(BufferPool.capacity(4097)).isEqualTo(4608);
    }

    @Test
    void aGivenBufferIsTakenAgainAndZeroedWhenAskedFor() {
        BufferPool pool = new BufferPool();
        float[] a = pool.take(10_000, false);
        assertThat(a.length).isEqualTo(BufferPool.capacity(10_000));
        a[5] = 3f;
        pool.give(a);
        assertThat(pool.pooledBuffers()).isEqualTo(1);
        assertThat(pool.pooledBytes()).isEqualTo(4L * a.length);
        float[] b = pool.take(9_990, true); // same class
        assertThat(b).isSameAs(a);
        assertThat(b[5]).isZero();
        assertThat(pool.pooledBytes()).isZero();
        assertThat(pool.allocatedBuffers()).isEqualTo(1);
    }

    @Test
    void trimDropsTheBuffersNoStepNeeded() {
        BufferPool pool = new BufferPool();
        float[][] step = new float[3][];
        for (int i = 0; i < 3; i++) step[i] = pool.take(50_000, true);
        for (float[] b : step) pool.give(b);
        pool.trim();
        assertThat(pool.pooledBuffers()).isEqualTo(3); // new this step: kept
        // the next step needs one: two stayed free throughout and go
        float[] one = pool.take(50_000, true);
        pool.give(one);
        pool.trim();
        assertThat(pool.pooledBuffers()).isEqualTo(1);
        // a step that needs none empties the pool
        pool.trim();
        assertThat(pool.pooledBuffers()).isZero();
        assertThat(pool.pooledBytes()).isZero();
    }
}
