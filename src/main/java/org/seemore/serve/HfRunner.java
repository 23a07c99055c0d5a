package org.seemore.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.seemore.UserException;
import org.seemore.data.image.ImageSource;
import org.seemore.generate.ContinuousBatch;
import org.seemore.generate.Generator;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.TextStream;
import org.seemore.generate.hf.Turn;
import org.seemore.tensor.Rng;

/**
 * Serving a Hugging Face model directory: a request's messages become a conversation rendered by the
 * model's chat template (images where their parts stand among the text parts), and
 * one thread generates with the {@link HfSession}, a request at a time, as {@code chat} does. Its
 * models have no batched decoding, so requests take turns: a bounded queue holds those waiting (more
 * get 429), and the {@link Job} and {@link Completion} machinery of seemore's own models carries
 * tokens, timeouts and cancellation (checked before each token).
 */
final class HfRunner {
    private final HfSession session;
    private final long maxImagePixels;
    private final BlockingQueue<Job> queue;
    private final Thread thread;
    private volatile boolean accepting = true, stopping, abort, paused, holding;
    private volatile int running;
    private volatile long tokenPauseNanos;

    HfRunner(HfSession session, int maxQueue, long maxImagePixels) {
        this.session = session;
        this.maxImagePixels = maxImagePixels;
        this.queue = new ArrayBlockingQueue<>(maxQueue);
        this.thread = Thread.ofPlatform().name("seemore-hf-generator").daemon().unstarted(this::loop);
    }

    void start() { thread.start(); }

    /** Sleeps this long after each token, so that tests can catch a generation midway. */
    void pace(Duration perToken) {
        this.tokenPauseNanos = perToken.toNanos();
    }

    /** While paused, no request starts (tests fill the queue this way). */
    void pause(boolean paused) {
        this.paused = paused;
        // the loop may be inside poll() already, and would start the next job: wait until it holds
        while (paused && !holding && thread.isAlive()) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }

    int queued() { return queue.size(); }

    int running() { return running; }

    /** The prompt of a request: its messages through the chat template, images read (400 for what the model cannot take). */
    HfSession.Prompt prompt(ChatRequest request) {
        List<Turn> turns = new ArrayList<>();
        for (ChatRequest.Message m : request.messages()) {
            List<ImageSource> images = new ArrayList<>();
            for (String url : m.imageUrls()) images.add(ImageInput.source(url, maxImagePixels));
            turns.add(switch (m.role()) {
                case "system", "developer" -> Turn.system(m.text());
                case "assistant" -> Turn.assistant(m.text());
                case "user" -> new Turn(Turn.Role.USER, m.text(), images, m.imageAt());
                default -> throw ApiError.badRequest("messages", "invalid_value", "unsupported role '" + m.role() + "' (system, user, assistant)");
            });
            if (!images.isEmpty() && !m.role().equals("user")) {
                throw ApiError.badRequest("messages", "invalid_value", "only user messages carry images");
            }
        }
        try {
            return session.prompt(turns);
        } catch (UserException e) {
            throw ApiError.badRequest("messages", "invalid_value", e.getMessage());
        }
    }

    /** The text of a reply as its tokens arrive. */
    Completion.TokenText text() {
        TextStream stream = new TextStream(session.tokenizer());
        return new Completion.TokenText() {
            @Override public String push(int token) { return stream.push(token); }
            @Override public String finish() { return stream.finish(); }
        };
    }

    /** Queues a job (its image field holds the prompt's pixel values): 503 once shutting down, 429 when the queue is full. */
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

    /** Stops accepting, lets the running and queued requests finish for up to {@code grace}, then cancels the rest. */
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
                holding = paused && !abort;
                if (holding) {
                    Thread.sleep(5);
                    continue;
                }
                Job job = queue.poll(50, TimeUnit.MILLISECONDS);
                if (job == null) {
                    if (stopping) return;
                    continue;
                }
                if (abort) {
                    job.fail(new ApiError(503, "server_error", "shutting_down", null, "the server shut down"));
                    continue;
                }
                running = 1;
                run(job);
                running = 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(Job job) {
        if (job.cancelled()) {
            job.finished(ContinuousBatch.Finish.CANCELLED);
            return;
        }
        Generator.Settings s = job.settings;
        try {
            HfSession.Reply reply = session.generate(new HfSession.Prompt("", job.prompt, job.image), new HfSession.Settings(s.maxNewTokens(), s.sampler()),
                    new Rng(s.seed()), text -> {}, token -> {
                        if (job.cancelled() || abort) return false;
                        job.token(token, new int[0][]);
                        if (tokenPauseNanos > 0) sleep(tokenPauseNanos);
                        return true;
                    });
            job.finished(switch (reply.stop()) {
                case EOS -> ContinuousBatch.Finish.STOP;
                case MAX_NEW_TOKENS, CONTEXT_FULL -> ContinuousBatch.Finish.LENGTH;
                case CANCELLED -> ContinuousBatch.Finish.CANCELLED;
            });
        } catch (UserException | IllegalArgumentException e) {
            job.fail(ApiError.badRequest("messages", "invalid_value", e.getMessage()));
        } catch (RuntimeException e) {
            job.fail(new ApiError(500, "server_error", "internal_error", null, "generation failed: " + e));
        }
    }
}
