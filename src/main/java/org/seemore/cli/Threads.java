package org.seemore.cli;

/** Sets the size of the kernel thread pool. */
final class Threads {
    private Threads() {}

    static void set(int n) {
        org.seemore.tensor.kernels.Parallel.setThreads(n);
    }
}
