package org.seemore.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.seemore.generate.ContinuousBatch;
import org.seemore.generate.Generator;
import org.seemore.generate.Sampler;
import org.seemore.tensor.Tensor;

/**
 * What the batching {@link Scheduler} did not do that the {@link HfRunner} did, now that both are one
 * {@link Runner}: a full queue makes room by dropping the jobs whose clients left, a pause returns
 * only once the scheduler holds (it used to return at once, with a step still under way), and a
 * failed step answers 500 instead of ending the thread that every later request waits on.
 */
class SchedulerTest {
    private static final int TOKEN = 5; // not CharTokenizer.EOS (2)
    private final Metrics metrics = new Metrics(0, 1, () -> 0, () -> 0);

    private Job job(Sampler sampler, int maxTokens) {
        int size = Served.VLM.config().imageSize();
        return new Job(Tensor.of(new float[3 * size * size], 1, 3, size, size), new int[] {3, 4},
                new Generator.Settings(maxTokens, -1, sampler, 0), metrics);
    }

    private static Sampler always(int token) {
        return (logits, offset, vocab, rng) -> token;
    }

    /** The job's events until it ends (or none comes within 10 s: the scheduler is not answering). */
    private static List<Job.Event> events(Job job) throws InterruptedException {
        List<Job.Event> events = new ArrayList<>();
        while (events.isEmpty() || events.getLast() instanceof Job.Token) {
            Job.Event e = job.events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("an event after " + events).isNotNull();
            events.add(e);
        }
        return events;
    }

    @Test
    void aFullQueueFirstDropsTheJobsWhoseClientsLeft() {
        Scheduler scheduler = new Scheduler(Served.VLM, 4, 1); // never started: the queue alone is under test
        Job left = job(always(TOKEN), 3), next = job(always(TOKEN), 3);
        scheduler.submit(left);
        left.cancel(); // its client went away (or its wait timed out) while it was queued

        assertThatCode(() -> scheduler.submit(next)).as("a cancelled job holds no place").doesNotThrowAnyException();
        assertThat(scheduler.queued()).isEqualTo(1);
        assertThat(left.events.poll()).isEqualTo(new Job.Done(ContinuousBatch.Finish.CANCELLED));
        // a job still wanted does hold its place
        assertThatThrownBy(() -> scheduler.submit(job(always(TOKEN), 3))).isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(429));
    }

    @Test
    void pausingReturnsOnceTheSchedulerHolds() throws Exception {
        Scheduler scheduler = new Scheduler(Served.VLM, 4, 4);
        scheduler.start();
        try {
            CountDownLatch inStep = new CountDownLatch(1), release = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            Sampler heldInTheFirstStep = (logits, offset, vocab, rng) -> {
                if (calls.incrementAndGet() == 2) { // the first call is the prefill's, the second the first step's
                    inStep.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return TOKEN;
            };
            Job job = job(heldInTheFirstStep, 30);
            scheduler.submit(job);
            assertThat(inStep.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> pausing = CompletableFuture.runAsync(() -> scheduler.pause(true));
            Thread.sleep(100);
            assertThat(pausing).as("the pause waits for the step under way").isNotDone();
            release.countDown();
            pausing.get(10, TimeUnit.SECONDS);
            int atPause = calls.get();
            Thread.sleep(100);
            assertThat(calls.get()).as("no step once the pause returned").isEqualTo(atPause);
            scheduler.pause(false);
            assertThat(events(job).getLast()).isEqualTo(new Job.Done(ContinuousBatch.Finish.LENGTH));
        } finally {
            scheduler.shutdown(java.time.Duration.ofSeconds(1));
        }
    }

    @Test
    void aStepThatFailsAnswers500AndTheSchedulerGoesOn() throws Exception {
        Scheduler scheduler = new Scheduler(Served.VLM, 4, 4);
        scheduler.start();
        try {
            AtomicInteger calls = new AtomicInteger();
            Sampler failsOnItsSecondToken = (logits, offset, vocab, rng) -> {
                if (calls.incrementAndGet() > 1) throw new IllegalStateException("the sampler broke");
                return TOKEN;
            };
            Job failing = job(failsOnItsSecondToken, 5);
            scheduler.submit(failing);
            List<Job.Event> failed = events(failing);
            assertThat(failed).hasSize(2); // the first token came from the prefill, the second step failed
            assertThat(failed.getFirst()).isInstanceOfSatisfying(Job.Token.class, t -> assertThat(t.token()).isEqualTo(TOKEN));
            assertThat(failed.getLast()).isInstanceOfSatisfying(Job.Failed.class, f -> assertThat(f.error().status()).isEqualTo(500));

            Job after = job(always(TOKEN), 3);
            scheduler.submit(after);
            List<Job.Event> answered = events(after);
            assertThat(answered).hasSize(4).last().isEqualTo(new Job.Done(ContinuousBatch.Finish.LENGTH));
        } finally {
            scheduler.shutdown(java.time.Duration.ofSeconds(1));
        }
    }
}
