package org.seemore.serve;

import java.util.ArrayList;
import java.util.List;
import org.seemore.UserException;
import org.seemore.data.image.ImageSource;
import org.seemore.generate.ContinuousBatch;
import org.seemore.generate.Generator;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.TextStream;
import org.seemore.generate.hf.Turn;
import org.seemore.tensor.Rng;

/**
 * The {@link Runner} of a Hugging Face model directory: a request's messages become a conversation
 * rendered by the model's chat template (images where their parts stand among the text parts), and
 * each turn generates one request with the {@link HfSession}, as {@code chat} does. Its models have
 * no batched decoding, so requests take turns; the queue, timeouts, cancellation (checked before each
 * token), pause and shutdown are the {@link Runner}'s, as for seemore's own models.
 */
final class HfRunner extends Runner {
    private final HfSession session;
    private final long maxImagePixels;

    HfRunner(HfSession session, int maxQueue, long maxImagePixels) {
        super("seemore-hf-generator", maxQueue);
        this.session = session;
        this.maxImagePixels = maxImagePixels;
    }

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

    /** Always: a turn is a whole generation, so between turns nothing runs. */
    @Override
    protected boolean idle() { return true; }

    /** Nothing to do: the running generation checks {@link #aborting()} before each token. */
    @Override
    protected void cancelRunning() {}

    /** Generates {@code job} (its image field holds the prompt's pixel values) to its end. */
    @Override
    protected void turn(Job job) {
        running(1);
        try {
            generate(job);
        } finally {
            running(0);
        }
    }

    private void generate(Job job) {
        if (!wanted(job)) return;
        Generator.Settings s = job.settings;
        try {
            HfSession.Reply reply = session.generate(new HfSession.Prompt("", job.prompt, job.image), new HfSession.Settings(s.maxNewTokens(), s.sampler()),
                    new Rng(s.seed()), text -> {}, token -> {
                        if (job.cancelled() || aborting()) return false;
                        job.token(token, new int[0][]);
                        pace();
                        return true;
                    });
            job.finished(switch (reply.stop()) {
                case EOS -> ContinuousBatch.Finish.STOP;
                case MAX_NEW_TOKENS, CONTEXT_FULL -> ContinuousBatch.Finish.LENGTH;
                case CANCELLED -> ContinuousBatch.Finish.CANCELLED;
            });
        } catch (RuntimeException e) {
            job.fail(failure(e));
        }
    }
}
