package org.seemore.serve;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.seemore.generate.ContinuousBatch;

/**
 * One request's answer, read from its {@link Job}'s events on the HTTP thread: as one
 * {@code chat.completion}, or as server-sent {@code chat.completion.chunk}s ending with
 * {@code data: [DONE]}. Stop sequences are cut here (and end the generation); while streaming, text
 * that may be the start of a stop sequence is held back until it is known not to be. Each chunk
 * carries a non-standard {@code routes} field: for each of its tokens, the experts each layer chose.
 *
 * <p>A client that goes away cancels its generation: while the response is not committed (all of a
 * non-streaming answer's wait, a stream's wait for its first token) a {@link ClientProbe} checks the
 * connection every {@link #PROBE_INTERVAL_NANOS}; once a stream is sending, its failing write does.
 */
final class Completion {
    static final long PROBE_INTERVAL_NANOS = 50_000_000;

    /** The client closed its connection: nothing more is to be sent (the request is logged as 499, as nginx does). */
    static final class ClientGone extends RuntimeException {
        ClientGone() {
            super("the client closed its connection", null, false, false);
        }
    }

    private final ChatRequest request;
    private final Job job;
    private final TokenText tokenizer;
    private final Metrics metrics;
    private final ClientProbe probe;
    private final long start, deadline;
    private long probed;
    private boolean probing = true;
    private final int promptTokens;
    private final String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    private final long created = System.currentTimeMillis() / 1000;
    private final StringBuilder text = new StringBuilder();
    private final List<int[][]> routes = new ArrayList<>();
    private int completionTokens;
    private String finish;
    private boolean first = true;

    /** A reply's text as its tokens arrive: seemore's characters one a token, a Hugging Face tokenizer's bytes once they complete. */
    interface TokenText {
        String push(int token);

        /** Whatever the last tokens left incomplete. */
        default String finish() {
            return "";
        }
    }

    Completion(ChatRequest request, Job job, TokenText tokenizer, Metrics metrics, ClientProbe probe, long start, long deadline,
               int promptTokens) {
        this.request = request;
        this.job = job;
        this.tokenizer = tokenizer;
        this.metrics = metrics;
        this.probe = probe;
        this.probed = start;
        this.start = start;
        this.deadline = deadline;
        this.promptTokens = promptTokens;
        metrics.promptTokens.addAndGet(promptTokens);
    }

    /**
     * Waits for the next event and folds it in; false once the answer is complete (finish set).
     * A timeout cancels the generation and throws 503; a client gone (while probing) cancels it and
     * throws {@link ClientGone}.
     */
    private boolean next() throws InterruptedException {
        Job.Event event = null;
        while (event == null) {
            long now = System.nanoTime();
            if (probing && now - probed >= PROBE_INTERVAL_NANOS) {
                probed = now;
                if (probe.gone()) {
                    job.cancel();
                    metrics.disconnects.incrementAndGet();
                    throw new ClientGone();
                }
            }
            long wait = deadline - now;
            if (wait <= 0) {
                job.cancel();
                throw new ApiError(503, "server_error", "timeout", null, "the request did not finish within the server's timeout");
            }
            event = job.events.poll(probing ? Math.min(wait, PROBE_INTERVAL_NANOS) : wait, TimeUnit.NANOSECONDS);
        }
        switch (event) {
            case Job.Token t -> {
                if (first) metrics.firstToken((System.nanoTime() - start) / 1e9);
                first = false;
                completionTokens++;
                metrics.completionTokens.incrementAndGet();
                metrics.routes(t.routes());
                routes.add(t.routes());
                text.append(tokenizer.push(t.token()));
                int cut = stopIndex();
                if (cut >= 0) {
                    text.setLength(cut);
                    finish = "stop";
                    job.cancel();
                }
            }
            case Job.Done d -> {
                text.append(tokenizer.finish());
                finish = d.finish() == ContinuousBatch.Finish.LENGTH ? "length" : "stop";
            }
            case Job.Failed f -> throw f.error();
        }
        if (finish != null) metrics.latency((System.nanoTime() - start) / 1e9);
        return finish == null;
    }

    /** Where the first stop sequence starts in the text, or -1. */
    private int stopIndex() {
        int best = -1;
        for (String s : request.stop()) {
            int i = text.indexOf(s, Math.max(0, text.length() - s.length() - 8));
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }

    /** How much of the text is safe to send: all but a tail that could begin a stop sequence. */
    private int sendable() {
        if (finish != null) return text.length();
        int hold = 0;
        for (String s : request.stop()) {
            for (int k = Math.min(s.length() - 1, text.length()); k > hold; k--) {
                if (text.substring(text.length() - k).equals(s.substring(0, k))) {
                    hold = k;
                    break;
                }
            }
        }
        return text.length() - hold;
    }

    void respond(Context ctx, String model) throws Exception {
        while (next()) { /* every token */ }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("object", "chat.completion");
        body.put("created", created);
        body.put("model", model);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "assistant");
        message.put("content", text.toString());
        message.put("refusal", null);
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("message", message);
        choice.put("finish_reason", finish);
        choice.put("logprobs", null);
        body.put("choices", List.of(choice));
        body.put("usage", usage());
        body.put("routes", routes);
        if (probe.tookData()) ctx.header("Connection", "close");
        ctx.contentType("application/json").result(OpenAiServer.JSON.writeValueAsString(body));
    }

    void stream(Context ctx, String model) throws Exception {
        // wait for the first event before committing to 200, so that an early failure is still a plain error
        boolean more = next();
        if (probe.tookData()) ctx.header("Connection", "close");
        probing = false; // from here on the response is committed, and a failing write tells that the client is gone
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setCharacterEncoding("utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        int sent = 0, routesSent = 0;
        try {
            send(out, chunk(model, Map.of("role", "assistant", "content", ""), null, List.of()));
            while (true) {
                int upTo = sendable();
                if (upTo > sent) {
                    send(out, chunk(model, Map.of("content", text.substring(sent, upTo)), null, routes.subList(routesSent, routes.size())));
                    sent = upTo;
                    routesSent = routes.size();
                }
                if (!more) break;
                try {
                    more = next();
                } catch (ApiError e) {
                    send(out, Map.of("error", e.body().get("error")));
                    break;
                }
            }
            if (finish != null) {
                Map<String, Object> last = chunk(model, Map.of(), finish, List.of());
                if (request.includeUsage()) last.put("usage", usage());
                send(out, last);
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException gone) {
            job.cancel(); // the client went away: stop generating for it
            metrics.disconnects.incrementAndGet();
        }
    }

    private Map<String, Object> chunk(String model, Map<String, Object> delta, String finishReason, List<int[][]> tokenRoutes) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("finish_reason", finishReason);
        choice.put("logprobs", null);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", model);
        c.put("choices", List.of(choice));
        if (!tokenRoutes.isEmpty()) c.put("routes", new ArrayList<>(tokenRoutes));
        return c;
    }

    private Map<String, Object> usage() {
        return Map.of("prompt_tokens", promptTokens, "completion_tokens", completionTokens, "total_tokens", promptTokens + completionTokens);
    }

    private static void send(OutputStream out, Object event) throws IOException {
        out.write(("data: " + OpenAiServer.JSON.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
