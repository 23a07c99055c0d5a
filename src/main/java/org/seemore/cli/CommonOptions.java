package org.seemore.cli;

import picocli.CommandLine.Option;

/** Options every compute command takes: the seed and the kernel thread count. */
public final class CommonOptions {
    @Option(names = "--seed", paramLabel = "N", description = "Seed of every random generator (default: ${DEFAULT-VALUE}).", defaultValue = "1337")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all cores).")
    Integer threads;

    /** Applies the thread count to the kernel pool. */
    void apply() {
        if (threads != null) Threads.set(threads);
    }
}
