package org.seemore.serve;

import java.util.ArrayList;
import java.util.List;
import org.seemore.generate.ContinuousBatch;
import org.seemore.model.Vlm;

/**
 * The {@link Runner} of seemore's own models, batching continuously: each turn takes queued jobs into
 * the running batch (up to {@code maxSequences}) and steps the batch, one token per sequence. A step
 * that fails answers every job of the batch with the error and starts an empty batch, so that the
 * server goes on serving.
 */
final class Scheduler extends Runner {
    private final Vlm model;
    private final int maxSequences;
    private final List<Job> active = new ArrayList<>();
    private ContinuousBatch batch;

    Scheduler(Vlm model, int maxSequences, int maxQueue) {
        super("seemore-scheduler", maxQueue);
        this.model = model;
        this.maxSequences = maxSequences;
        this.batch = new ContinuousBatch(model);
    }

    @Override
    protected boolean idle() { return batch.running() == 0; }

    @Override
    protected void turn(Job next) {
        if (next != null) admit(next);
        for (Job j; batch.running() < maxSequences && (j = poll()) != null; ) admit(j);
        pace();
        try {
            if (batch.running() > 0) batch.step();
        } catch (RuntimeException e) {
            ApiError error = failure(e);
            for (Job j : active) if (!j.done) j.fail(error);
            batch = new ContinuousBatch(model); // the failed step's sequences are in an unknown state: drop them all
        }
        active.removeIf(j -> j.done);
        running(batch.running());
    }

    @Override
    protected void cancelRunning() {
        for (Job j : active) j.cancel();
    }

    private void admit(Job job) {
        if (!wanted(job)) return;
        try {
            job.admitted(batch.admit(job.image, job.prompt, job.settings, job));
            if (!job.done) active.add(job);
        } catch (RuntimeException e) {
            job.fail(failure(e));
        }
        running(batch.running());
    }
}
