package org.seemore.tensor;

/**
 * Whether ops record the autodiff graph. Inference runs inside {@code try (var g = GradMode.noGrad())},
 * where nothing is recorded and no gradient memory is kept. Per thread.
 */
public final class GradMode {
    private static final ThreadLocal<int[]> DISABLED = ThreadLocal.withInitial(() -> new int[1]);

    private GradMode() {}

    public static boolean isEnabled() {
        return DISABLED.get()[0] == 0;
    }

    /** Disables recording until the returned scope is closed (scopes nest). */
    public static Scope noGrad() {
        int[] depth = DISABLED.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /** A no-grad region; closing it restores the previous mode. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
