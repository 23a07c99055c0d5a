package org.seemore.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.seemore.generate.ContinuousBatch;
import org.seemore.model.Vlm;

/**
 * The one thread that owns the model: takes requests from a bounded queue into the running batch
 * (up to {@code maxSequences}), then steps the batch, one token per sequence, until it is empty.
 */
final class Scheduler {
    private final ContinuousBatch batch;
    private final int maxSequences;
    private final BlockingQueue<Job> queue;
    private final List<Job> active = new ArrayList<>();
    private final Thread thread;
    private volatile boolean accepting = true, stopping, abort, paused;
    private volatile int running;
    private volatile long stepPauseNanos;
    private volatile Job held;

    Scheduler(Vlm model, int maxSequences, int maxQueue) {
        this.batch = new ContinuousBatch(model);
        this.maxSequences = maxSequences;
        this.queue = new ArrayBlockingQueue<>(maxQueue);
        this.thread = Thread.ofPlatform().name("seemore-scheduler").daemon().unstarted(this::loop);
    }

    /** While paused, nothing is admitted or stepped (tests fill the queue this way). */
    void pause(boolean paused) {
        this.paused = paused;
    }

    /** Sleeps this long before each step, so that tests can catch a generation midway. */
    void pace(Duration perStep) {
        this.stepPauseNanos = perStep.toNanos();
    }

    void start() { thread.start(); }

    int queued() { return queue.size(); }

    /** Jobs not yet admitted: those queued, and one taken from the queue while paused. */
    int waiting() { return queue.size() + (held == null ? 0 : 1); }

    int running() { return running; }

    /** Queues a job: 503 once shutting down, 429 when the queue is full. */
    void submit(Job job) {
        if (!accepting) throw new ApiError(503, "server_error", "shutting_down", null, "the server is shutting down");
        if (!queue.offer(job)) {
            throw new ApiError(429, "rate_limit_error", "queue_full", null, "too many requests are waiting (" + queue.size() + " queued); retry later");
        }
    }

    /** Stops accepting, lets running and queued requests finish for up to {@code grace}, then cancels the rest. */
    void shutdown(Duration grace) throws InterruptedException {
        accepting = false;
        stopping = true;
        thread.join(Math.max(1, grace.toMillis()));
        abort = true;
        thread.join();
    }

    private void loop() {
        try {
            while (true) {
                if (paused && !abort) {
                    Thread.sleep(5);
                    continue;
                }
                if (abort) {
                    for (Job j : active) j.cancel();
                    for (Job j; (j = queue.poll()) != null; ) j.fail(new ApiError(503, "server_error", "shutting_down", null, "the server shut down"));
                }
                if (batch.running() == 0) {
                    Job first = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (stopping) return;
                        continue;
                    }
                    held = first;
                    while (paused && !abort) Thread.sleep(5);
                    held = null;
                    admit(first);
                }
                for (Job j; batch.running() < maxSequences && (j = queue.poll()) != null; ) admit(j);
                if (stepPauseNanos > 0) Thread.sleep(Duration.ofNanos(stepPauseNanos));
                if (batch.running() > 0) batch.step();
                active.removeIf(j -> j.done);
                running = batch.running();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void admit(Job job) {
        if (job.cancelled()) {
            job.finished(ContinuousBatch.Finish.CANCELLED);
            return;
        }
        try {
            ContinuousBatch.Sequence s = batch.admit(job.image, job.prompt, job.settings, job);
            job.admitted(s);
            if (!job.done) active.add(job);
        } catch (IllegalArgumentException e) {
            job.fail(ApiError.badRequest("messages", "invalid_value", e.getMessage()));
        } catch (RuntimeException e) {
            job.fail(new ApiError(500, "server_error", "internal_error", null, "generation failed: " + e));
        }
        running = batch.running();
    }
}
