package org.seemore.serve;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.seemore.UserException;
import org.seemore.generate.ContinuousBatch;

/**
 * The one thread that owns a model and answers the queued {@link Job}s, turn after turn. The
 * contract of {@code serve} lives here, whatever the model: a bounded queue (a full one first drops
 * the jobs whose clients left or timed out, then answers 429), a job cancelled before it starts is
 * never generated, a pause for tests that returns once the thread holds, a pace that slows every
 * token, and a shutdown that lets the work finish for a grace period and then cancels the rest.
 *
 * <p>What one turn does is the model kind's: the {@link Scheduler} admits queued jobs into its running
 * batch and steps it by one token; the {@link HfRunner} generates one request to its end. A job's
 * cancellation (its client gone, its timeout) is checked between two of its tokens.
 */
abstract class Runner {
    private final BlockingQueue<Job> queue;
    private final Thread thread;
    /** Held for the whole of a turn, so that a pause can wait for the turn under way to end. */
    private final ReentrantLock turn = new ReentrantLock();
    private volatile boolean accepting = true, stopping, abort, paused;
    private volatile int running;
    private volatile long paceNanos;

    Runner(String threadName, int maxQueue) {
        this.queue = new ArrayBlockingQueue<>(maxQueue);
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this::loop);
    }

    /** Whether nothing runs, so that the thread may wait for the queue's next job. */
    protected abstract boolean idle();

    /**
     * One turn: {@code next} is the job the thread waited for when {@link #idle()}, else null (more
     * may be taken with {@link #poll()}). Generation errors answer their jobs here ({@link #failure}).
     */
    protected abstract void turn(Job next);

    /** Cancels the running jobs: the shutdown's grace is over. */
    protected abstract void cancelRunning();

    void start() { thread.start(); }

    /** Sleeps this long for each token (each step of a batch), so that tests can catch a generation midway. */
    void pace(Duration perToken) {
        this.paceNanos = perToken.toNanos();
    }

    /**
     * While paused, no turn is taken (tests fill the queue this way). Pausing returns once the thread
     * holds: the turn under way, if any, has ended (a generation, for a model that runs one at a time).
     */
    void pause(boolean paused) {
        this.paused = paused;
        if (paused) {
            // a turn that began before the flag was set ends before the lock is free; the next one sees the flag
            turn.lock();
            turn.unlock();
        }
    }

    /** Jobs in the queue. */
    int queued() { return queue.size(); }

    /** Jobs generating now. */
    int running() { return running; }

    /** Queues a job: 503 once shutting down, 429 when the queue is full of jobs still wanted. */
    void submit(Job job) {
        if (!accepting) throw new ApiError(503, "server_error", "shutting_down", null, "the server is shutting down");
        if (!queue.offer(job) && !(dropCancelled() && queue.offer(job))) {
            throw new ApiError(429, "rate_limit_error", "queue_full", null, "too many requests are waiting (" + queue.size() + " queued); retry later");
        }
    }

    /** Removes the queued jobs whose clients left or timed out, so that they hold no place; whether any was removed. */
    private boolean dropCancelled() {
        boolean any = false;
        for (Job j : queue) {
            if (j.cancelled() && queue.remove(j)) {
                j.finished(ContinuousBatch.Finish.CANCELLED);
                any = true;
            }
        }
        return any;
    }

    /** Stops accepting, lets the running and queued jobs finish for up to {@code grace}, then cancels the rest. */
    void shutdown(Duration grace) throws InterruptedException {
        accepting = false;
        stopping = true;
        thread.join(Math.max(1, grace.toMillis()));
        abort = true;
        thread.join();
    }

    /** The next queued job, without waiting; null if none. */
    protected final Job poll() { return queue.poll(); }

    /** Whether the shutdown's grace is over: a generation stops at its next token. */
    protected final boolean aborting() { return abort; }

    /** Sets the gauge of jobs generating now. */
    protected final void running(int jobs) { running = jobs; }

    /** Sleeps the pace (see {@link #pace(Duration)}), if any. */
    protected final void pace() {
        long nanos = paceNanos;
        if (nanos <= 0) return;
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the loop's next wait ends it
        }
    }

    /** Whether a job taken from the queue should start: one whose client left or timed out ends here, never generated. */
    protected static boolean wanted(Job job) {
        if (!job.cancelled()) return true;
        job.finished(ContinuousBatch.Finish.CANCELLED);
        return false;
    }

    /** The error a failed generation answers: 400 for what the request asked and the model cannot do, 500 for the rest. */
    protected static ApiError failure(RuntimeException e) {
        if (e instanceof UserException || e instanceof IllegalArgumentException) return ApiError.badRequest("messages", "invalid_value", e.getMessage());
        return new ApiError(500, "server_error", "internal_error", null, "generation failed: " + e);
    }

    private void loop() {
        try {
            while (!Thread.currentThread().isInterrupted()) { // pace() keeps an interrupt for this check
                boolean hold;
                turn.lock();
                try {
                    hold = paused && !abort;
                    if (!hold) {
                        if (abort) {
                            cancelRunning();
                            for (Job j; (j = queue.poll()) != null; ) j.fail(new ApiError(503, "server_error", "shutting_down", null, "the server shut down"));
                        }
                        Job next = null;
                        if (idle() && (next = queue.poll(50, TimeUnit.MILLISECONDS)) == null) {
                            if (stopping) return;
                            continue;
                        }
                        turn(next);
                    }
                } finally {
                    turn.unlock();
                }
                if (hold) Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
