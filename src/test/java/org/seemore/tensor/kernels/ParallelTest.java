package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pool runs every task exactly once, nests, propagates failures and can be resized. */
class ParallelTest {
    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    @Test
    void everyTaskRunsExactlyOnceForAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            assertThat(Parallel.threads()).isEqualTo(threads);
            for (int tasks : new int[] {0, 1, 2, 7, 1000}) {
                for (int repeat = 0; repeat < 50; repeat++) {
                    AtomicIntegerArray counts = new AtomicIntegerArray(tasks);
                    Parallel.parallelFor(tasks, counts::incrementAndGet);
                    for (int t = 0; t < tasks; t++) {
                        assertThat(counts.get(t)).as("task %d of %d on %d threads", t, tasks, threads).isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void usesMoreThanOneThreadWhenAsked() {
        Parallel.setThreads(2);
        Set<Thread> seen = Collections.synchronizedSet(new HashSet<>());
        for (int repeat = 0; repeat < 200 && seen.size() < 2; repeat++) {
            Parallel.parallelFor(64, t -> {
                seen.add(Thread.currentThread());
                busyWork();
            });
        }
        assertThat(seen).hasSize(2);
    }

    @Test
    void nestedLoopsRunInlineWithoutDeadlock() {
        Parallel.setThreads(2);
        AtomicIntegerArray counts = new AtomicIntegerArray(8 * 8);
        Parallel.parallelFor(8, i -> Parallel.parallelFor(8, j -> counts.incrementAndGet(i * 8 + j)));
        for (int t = 0; t < 64; t++) {
            assertThat(counts.get(t)).isEqualTo(1);
        }
    }

    @Test
    void aFailingTaskIsRethrownToTheCallerAndThePoolStaysUsable() {
        Parallel.setThreads(2);
        assertThatThrownBy(() -> Parallel.parallelFor(10, t -> {
            if (t == 6) {
                throw new IllegalStateException("task 6 failed");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("task 6 failed");
        AtomicIntegerArray counts = new AtomicIntegerArray(10);
        Parallel.parallelFor(10, counts::incrementAndGet);
        assertThat(counts.get(9)).isEqualTo(1);
    }

    @Test
    void parallelRangeCoversTheRangeInDisjointChunks() {
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 5, 100, 1001}) {
                AtomicIntegerArray counts = new AtomicIntegerArray(n);
                Parallel.parallelRange(n, 10, (start, end) -> {
                    assertThat(end - start).isGreaterThanOrEqualTo(Math.min(n, 10));
                    for (int i = start; i < end; i++) {
                        counts.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(counts.get(i)).as("index %d of %d on %d threads", i, n, threads).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void rejectsZeroThreads() {
        assertThatThrownBy(() -> Parallel.setThreads(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }

    private static void busyWork() {
        double x = 0;
        for (int i = 0; i < 20_000; i++) {
            x += Math.sqrt(i);
        }
        if (x < 0) {
            throw new AssertionError();
        }
    }
}
