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
    void aRequestTakesAFreeBufferOfALargerClassRatherThanAllocating() {
        BufferPool pool = new BufferPool();
        float[] big = pool.take(BufferPool.capacity(BufferPool.capacity(50_000) + 1), false); // the class above 50 000's
        pool.give(big);
        assertThat(pool.take(50_000, true)).isSameAs(big);
        float[] huge = pool.take(200_000, false);
        pool.give(huge);
        assertThat(pool.take(50_000, true)).isNotSameAs(huge); // too large to waste
        assertThat(pool.allocatedBuffers()).isEqualTo(3);
    }

    @Test
    void trimDropsTheBuffersNoStepOfTheWindowNeeded() {
        BufferPool pool = new BufferPool();
        step(pool, 3); // the first steps keep what they made
        for (int i = 1; i < BufferPool.WINDOW; i++) {
            step(pool, 1);
            assertThat(pool.pooledBuffers()).isEqualTo(3);
        }
        step(pool, 1); // two buffers stayed free through a whole window of steps
        assertThat(pool.pooledBuffers()).isEqualTo(1);
        for (int i = 0; i < BufferPool.WINDOW; i++) step(pool, 0);
        assertThat(pool.pooledBuffers()).isZero();
        assertThat(pool.pooledBytes()).isZero();
        // a pool that serves many steps of a varying need stays at the window's peak
        for (int i = 0; i < 100; i++) {
            step(pool, 1 + i % 3);
            assertThat(pool.pooledBuffers()).isLessThanOrEqualTo(3);
        }
        assertThat(pool.allocatedBuffers()).isEqualTo(6);
    }

    /** A step that holds {@code n} buffers of one class at once. */
    private static void step(BufferPool pool, int n) {
        float[][] held = new float[n][];
        for (int i = 0; i < n; i++) held[i] = pool.take(50_000, true);
        for (float[] b : held) pool.give(b);
        pool.trim();
    }
}
