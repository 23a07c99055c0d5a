package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StepArenaTest {
    private static final int N = 64, C = 96; // 6144 values: above the pooling threshold

    private static Tensor input(long seed) {
        return Tensor.of(new Rng(seed).normal(N * C, 0f, 1f), N, C);
    }

    @Test
    void opOutputsAndTheirViewsAreReleasedWhenTheStepEnds() {
        BufferPool pool = new BufferPool();
        Tensor x = input(1), y, view;
        try (StepArena arena = StepArena.open(pool)) {
            y = Elementwise.relu(x);
            view = Shaping.reshape(y, C, N);
            assertThat(arena.leasedBytes()).isPositive();
            assertThat(y.data().length).isGreaterThanOrEqualTo(y.size());
        }
        assertThat(y.isReleased()).isTrue();
        assertThat(view.isReleased()).isTrue();
        assertThatThrownBy(y::toArray).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
        assertThatThrownBy(() -> view.get(0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Elementwise.relu(view)).isInstanceOf(IllegalStateException.class);
        assertThat(x.isReleased()).isFalse(); // not pooled: the caller's
        assertThat(pool.pooledBuffers()).isEqualTo(1);
    }

    @Test
    void theNextStepReusesTheBuffersOfTheLast() {
        BufferPool pool = new BufferPool();
        Tensor x = input(2);
        float[] first, expected = Elementwise.scale(x, 2f).toArray();
        try (var arena = StepArena.open(pool)) {
            first = Elementwise.relu(x).data();
        }
        try (var arena = StepArena.open(pool)) {
            Tensor again = Elementwise.scale(x, 2f);
            assertThat(again.data()).isSameAs(first);
            assertThat(again.toArray()).containsExactly(expected); // the values of an unpooled op
        }
        assertThat(pool.allocatedBuffers()).isEqualTo(1);
    }

    @Test
    void aKeptTensorOutlivesItsStepAndItsStorageIsNeverHandedOutAgain() {
        BufferPool pool = new BufferPool();
        Tensor x = input(3), kept, view;
        float[] expected = Elementwise.relu(x).toArray();
        try (StepArena arena = StepArena.open(pool)) {
            kept = arena.keep(Elementwise.relu(x));
            view = Shaping.reshape(kept, C, N);
        }
        assertThat(kept.isReleased()).isFalse();
        assertThat(view.isReleased()).isFalse();
        assertThat(pool.pooledBuffers()).isZero();
        for (int step = 0; step < 3; step++) {
            try (var arena = StepArena.open(pool)) {
                Tensor other = Elementwise.scale(x, -1f);
                assertThat(other.data()).isNotSameAs(kept.data());
            }
        }
        assertThat(kept.toArray()).containsExactly(expected);
    }

    @Test
    void gradientsInAnArenaAreBitForBitThoseWithoutAndLeafGradientsSurviveIt() {
        float[][] plain = gradients(null), pooled = gradients(new BufferPool());
        for (int i = 0; i < plain.length; i++) assertThat(pooled[i]).containsExactly(plain[i]);
    }

    /** d loss / d {w, b, x} of a small graph with views, a repeated operand and a linear layer. */
    private static float[][] gradients(BufferPool pool) {
        Rng rng = new Rng(4);
        Tensor w = Tensor.parameter(rng.normal(C * C, 0f, 0.1f), C, C), b = Tensor.parameter(rng.normal(C, 0f, 0.1f), C);
        Tensor x = Tensor.parameter(rng.normal(N * C, 0f, 1f), N, C);
        StepArena arena = pool == null ? null : StepArena.open(pool);
        try {
            Tensor h = Elementwise.gelu(Linalg.linear(x, w, b));
            Tensor sq = Elementwise.mul(h, h);
            Tensor rows = Shaping.sliceRows(Shaping.reshape(sq, N, C), 1, N - 1);
            Tensor loss = Reductions.meanAll(Elementwise.add(NnOps.softmax(rows, false), Elementwise.scale(rows, 0.5f)));
            float value = loss.item();
            loss.backward();
            assertThat(value).isFinite();
            if (arena != null) {
                assertThat(h.isReleased()).as("activations go back during the backward pass").isTrue();
                assertThat(rows.isReleased()).isTrue();
            }
        } finally {
            if (arena != null) arena.close();
        }
        if (pool != null) assertThat(pool.pooledBuffers()).isPositive();
        return new float[][] {w.grad(), b.grad(), x.grad()};
    }

    @Test
    void opsOnAnotherThreadAndOutsideTheArenaAllocateAsUsual() throws Exception {
        BufferPool pool = new BufferPool();
        Tensor x = input(5), elsewhere;
        try (var arena = StepArena.open(pool)) {
            elsewhere = CompletableFuture.supplyAsync(() -> Elementwise.relu(x)).get();
            assertThatThrownBy(() -> StepArena.open(pool)).hasMessageContaining("already open");
        }
        assertThat(elsewhere.isReleased()).isFalse();
        assertThat(Elementwise.relu(x).isReleased()).isFalse();
        assertThat(pool.pooledBuffers()).isZero();
    }

    @Test
    void aReleasedTensorCannotFeedAnotherOp() {
        Tensor w = Tensor.parameter(new Rng(6).normal(N * C, 0f, 1f), N, C);
        Tensor h;
        try (var arena = StepArena.open(new BufferPool())) {
            h = Elementwise.relu(w);
        }
        assertThatThrownBy(() -> Reductions.sumAll(h)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void recycledParameterGradientsReuseTheirBuffer() {
        Tensor w = Tensor.parameter(new Rng(7).normal(N * C, 0f, 1f), N, C);
        Reductions.sumAll(Elementwise.mul(w, w)).backward();
        float[] first = w.grad();
        w.recycleGrad();
        assertThat(w.grad()).isNull();
        Reductions.sumAll(Elementwise.scale(w, 3f)).backward();
        assertThat(w.grad()).isSameAs(first);
        assertThat(w.grad()).containsOnly(3f);
        w.clearGrad();
        Reductions.sumAll(w).backward();
        assertThat(w.grad()).isNotSameAs(first).containsOnly(1f);
    }
}
