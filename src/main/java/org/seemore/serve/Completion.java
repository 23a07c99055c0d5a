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
import org.seemore.data.text.CharTokenizer;
import org.seemore.generate.ContinuousBatch;

/**
 * One request's answer, read from its {@link Job}'s events on the HTTP thread: as one
 * {@code chat.completion}, or as server-sent {@code chat.completion.chunk}s ending with
 * {@code data: [DONE]}. Stop sequences are cut here (and end the generation); while streaming, text
 * that may be the start of a stop sequence is held back until it is known not to be. Each chunk
 * carries a non-standard {@code routes} field: for each of its tokens, the experts each layer chose.
 */
final class Completion {
    private final ChatRequest request;
    private final Job job;
    private final CharTokenizer tokenizer;
    private final Metrics metrics;
    private final long start, deadline;
    private final int promptTokens;
    private final String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    private final long created = System.currentTimeMillis() / 1000;
    private final StringBuilder text = new StringBuilder();
    private final List<int[][]> routes = new ArrayList<>();
    private int completionTokens;
    private String finish;
    private boolean first = true;

    Completion(ChatRequest request, Job job, CharTokenizer tokenizer, Metrics metrics, long start, long deadline, int promptTokens) {
        this.request = request;
        this.job = job;
        this.tokenizer = tokenizer;
        this.metrics = metrics;
        this.start = start;
        this.deadline = deadline;
        this.promptTokens = promptTokens;
        metrics.promptTokens.addAndGet(promptTokens);
    }

    /**
     * Waits for the next event and folds it in; false once the answer is complete (finish set).
     * A timeout cancels the generation and throws 503.
     */
    private boolean next() throws InterruptedException {
        long wait = deadline - System.nanoTime();
        Job.Event event = wait <= 0 ? null : job.events.poll(wait, TimeUnit.NANOSECONDS);
        if (event == null) {
            job.cancel();
            throw new ApiError(503, "server_error", "timeout", null, "the request did not finish within the server's timeout");
        }
        switch (event) {
            case Job.Token t -> {
                if (first) metrics.firstToken((System.nanoTime() - start) / 1e9);
                first = false;
                completionTokens++;
                metrics.completionTokens.incrementAndGet();
                metrics.routes(t.routes());
                routes.add(t.routes());
                text.append(tokenizer.decode(new int[] {t.token()}));
                int cut = stopIndex();
                if (cut >= 0) {
                    text.setLength(cut);
                    finish = "stop";
                    job.cancel();
                }
            }
            case Job.Done d -> finish = d.finish() == ContinuousBatch.Finish.LENGTH ? "length" : "stop";
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
        ctx.contentType("application/json").result(OpenAiServer.JSON.writeValueAsString(body));
    }

    void stream(Context ctx, String model) throws Exception {
        // wait for the first event before committing to 200, so that an early failure is still a plain error
        boolean more = next();
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
