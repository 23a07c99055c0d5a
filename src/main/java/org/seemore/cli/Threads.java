package org.seemore.cli;

import org.seemore.UserException;
import org.seemore.tensor.kernels.Parallel;

/** The {@code --threads} flag: the size of the kernel thread pool. */
final class Threads {
    private Threads() {}

    /**
     * The thread count to use for {@code --threads requested}: at least 1, and no more than the
     * available processors, with a notice when capped. More threads than cores only time-slice the
     * same cores, and the kernels' spin-waiting workers then wait on each other: 64 threads on 2
     * cores trained 2.2x slower than 2.
     */
    static int capped(int requested) {
        if (requested < 1) throw new UserException("--threads must be at least 1, got " + requested);
        int cores = Runtime.getRuntime().availableProcessors();
        if (requested <= cores) return requested;
        System.err.println("seemore: --threads " + requested + " is more than the " + cores + (cores == 1 ? " core" : " cores")
                + " available; using " + cores);
        return cores;
    }

    /** Applies {@code --threads requested} (see {@link #capped}) to the kernel pool. */
    static void set(int requested) {
        Parallel.setThreads(capped(requested));
    }
}
