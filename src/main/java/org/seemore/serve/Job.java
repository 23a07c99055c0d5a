package org.seemore.serve;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.seemore.generate.ContinuousBatch;
import org.seemore.generate.Generator;
import org.seemore.tensor.Tensor;

/**
 * One request's generation, between the HTTP thread that waits for its {@link Event}s and the
 * scheduler thread that produces them. Either side may cancel it.
 */
final class Job implements ContinuousBatch.Listener {
    /** What the scheduler reports. */
    sealed interface Event {}

    record Token(int token, int[][] routes) implements Event {}

    record Done(ContinuousBatch.Finish finish) implements Event {}

    record Failed(ApiError error) implements Event {}

    final Tensor image;        // (1, 3, S, S)
    final int[] prompt;
    final Generator.Settings settings;
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Metrics metrics;
    private volatile ContinuousBatch.Sequence sequence;
    private volatile boolean cancelled;
    volatile boolean done;

    Job(Tensor image, int[] prompt, Generator.Settings settings, Metrics metrics) {
        this.image = image;
        this.prompt = prompt;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** Stops the generation at the scheduler's next step (or before it starts). */
    void cancel() {
        cancelled = true;
        ContinuousBatch.Sequence s = sequence;
        if (s != null) s.cancel();
    }

    boolean cancelled() { return cancelled; }

    /** Called by the scheduler once the sequence is admitted. */
    void admitted(ContinuousBatch.Sequence s) {
        sequence = s;
        if (cancelled) s.cancel();
    }

    void fail(ApiError error) {
        done = true;
        events.add(new Failed(error));
    }

    @Override
    public void token(int token, int[][] routes) {
        metrics.generatedTokens.incrementAndGet();
        events.add(new Token(token, routes));
    }

    @Override
    public void finished(ContinuousBatch.Finish reason) {
        done = true;
        events.add(new Done(reason));
    }
}
