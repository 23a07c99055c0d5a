package org.seemore.tensor.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The kernels' thread pool: a fixed set of daemon workers that run fork-join loops
 * ({@link #parallelFor}, {@link #parallelRange}) together with the calling thread.
 *
 * <p>Built for many short loops in a row (a training step issues thousands): a finished worker spins
 * briefly for the next loop before parking, and a loop costs one small job object, no queue. A loop
 * runs inline on the caller when there is one thread, one task, or when the pool is already busy
 * (a nested loop, or a second thread calling concurrently), so callers never deadlock and never
 * need to know whether they are already inside a parallel region.
 */
public final class Parallel {
    /** How long an idle worker spins for the next job before parking, in nanoseconds. */
    private static final long SPIN_NANOS = 50_000;

    private static volatile Pool pool = new Pool(Runtime.getRuntime().availableProcessors());

    private Parallel() {}

    /** The number of threads a loop runs on (the caller included). */
    public static int threads() {
        return pool.threads;
    }

    /** Sets the number of threads (at least 1); replaces the pool, so call it between loops, not during one. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (threads == pool.threads) {
            return;
        }
        Pool old = pool;
        pool = new Pool(threads);
        old.shutdown();
    }

    /** Runs {@code body.accept(t)} for every t in [0, tasks), spread over the pool; returns when all are done. */
    public static void parallelFor(int tasks, IntConsumer body) {
        Pool p = pool;
        if (tasks <= 1 || p.threads == 1 || !p.busy.compareAndSet(false, true)) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        try {
            p.run(new Job(tasks, body));
        } finally {
            p.busy.set(false);
        }
    }

    /** A loop body over a half-open index range. */
    @FunctionalInterface
    public interface RangeBody {
        void accept(int start, int end);
    }

    /**
     * Splits [0, n) into at most {@link #threads()} contiguous chunks of at least {@code minChunk}
     * indices and runs {@code body} on each; small n runs inline as one chunk.
     */
    public static void parallelRange(int n, int minChunk, RangeBody body) {
        int chunks = Math.min(threads(), Math.max(1, n / Math.max(1, minChunk)));
        if (chunks <= 1) {
            if (n > 0) {
                body.accept(0, n);
            }
            return;
        }
        parallelFor(chunks, c -> body.accept((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    /** One loop: tasks are claimed from {@code next}; {@code pending} counts those not yet finished. */
    private static final class Job {
        final int tasks;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger pending;
        final Thread caller = Thread.currentThread();
        volatile boolean callerParked;
        volatile Throwable failure;

        Job(int tasks, IntConsumer body) {
            this.tasks = tasks;
            this.body = body;
            this.pending = new AtomicInteger(tasks);
        }

        /** Claims and runs tasks until none are left. */
        void work() {
            int t;
            while ((t = next.getAndIncrement()) < tasks) {
                try {
                    body.accept(t);
                } catch (Throwable e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
                if (pending.decrementAndGet() == 0 && callerParked) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    /** The workers; the caller of a loop is the extra thread, so a pool of n threads has n - 1 workers. */
    private static final class Pool {
        final int threads;
        final AtomicBoolean busy = new AtomicBoolean();
        final Worker[] workers;
        volatile Job current;
        volatile boolean stopped;

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        void run(Job job) {
            current = job;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            try {
                job.work();
                awaitCompletion(job);
            } finally {
                current = null; // let the finished job's closure (and the arrays it holds) be collected
            }
            Throwable failure = job.failure;
            if (failure instanceof RuntimeException e) {
                throw e;
            } else if (failure instanceof Error e) {
                throw e;
            } else if (failure != null) {
                throw new IllegalStateException(failure);
            }
        }

        private void awaitCompletion(Job job) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (job.pending.get() != 0) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    job.callerParked = true;
                    if (job.pending.get() != 0) {
                        LockSupport.park(this);
                    }
                }
            }
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }

    /** A daemon thread that waits for a new job, helps run it, and waits again. */
    private static final class Worker extends Thread {
        final Pool pool;
        volatile boolean parked;

        Worker(Pool pool, int index) {
            super("seemore-kernel-" + index);
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            while (true) {
                Job job = awaitJob(seen);
                if (job == null) {
                    return;
                }
                job.work();
                seen = job;
            }
        }

        /** Spins, then parks, until a job other than {@code seen} is posted; null once the pool stops. */
        private Job awaitJob(Job seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                Job job = pool.current;
                if (pool.stopped) {
                    return null;
                }
                if (job != null && job != seen) {
                    return job;
                }
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                Job now = pool.current;
                if ((now == null || now == seen) && !pool.stopped) {
                    LockSupport.park(this);
                }
                parked = false;
            }
        }
    }
}
