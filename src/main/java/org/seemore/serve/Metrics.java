package org.seemore.serve;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

/**
 * The server's counters, rendered in Prometheus's text format (version 0.0.4) by hand: requests by
 * status, tokens, queue and batch sizes, request latency and time to first token as histograms,
 * and how many generated tokens each layer sent to each expert.
 */
final class Metrics {
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final Map<Integer, AtomicLong> requests = new ConcurrentHashMap<>();
    final AtomicLong promptTokens = new AtomicLong(), completionTokens = new AtomicLong();
    /** Tokens the batch generated, sent or not (a cancelled request's last ones are not); clients that went away mid-request. */
    final AtomicLong generatedTokens = new AtomicLong(), disconnects = new AtomicLong();
    private final Histogram latency = new Histogram(), firstToken = new Histogram();
    private final AtomicLongArray expertLoad;
    private final int layers, experts;
    private final IntSupplier queued, running;

    Metrics(int layers, int experts, IntSupplier queued, IntSupplier running) {
        this.layers = layers;
        this.experts = experts;
        this.expertLoad = new AtomicLongArray(layers * experts);
        this.queued = queued;
        this.running = running;
    }

    void request(int status) {
        requests.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }

    void latency(double seconds) { latency.observe(seconds); }

    void firstToken(double seconds) { firstToken.observe(seconds); }

    /** One generated token's routes, (layers, k). */
    void routes(int[][] routes) {
        for (int l = 0; l < routes.length && l < layers; l++) for (int e : routes[l]) expertLoad.incrementAndGet(l * experts + e);
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append("# HELP seemore_requests_total Chat completion requests answered, by HTTP status.\n# TYPE seemore_requests_total counter\n");
        requests.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.append("seemore_requests_total{code=\"").append(e.getKey()).append("\"} ").append(e.getValue().get()).append('\n'));
        counter(out, "seemore_prompt_tokens_total", "Positions prefilled (visual and prompt tokens).", promptTokens.get());
        counter(out, "seemore_completion_tokens_total", "Tokens generated for the requests' answers.", completionTokens.get());
        counter(out, "seemore_generated_tokens_total", "Tokens the batch generated, including those no answer took (after a stop "
                + "sequence, a timeout or a disconnect).", generatedTokens.get());
        counter(out, "seemore_client_disconnects_total", "Requests whose client closed the connection before the answer ended "
                + "(their generation is cancelled).", disconnects.get());
        gauge(out, "seemore_queue_length", "Requests waiting for a place in the batch.", queued.getAsInt());
        gauge(out, "seemore_running_sequences", "Sequences in the running batch.", running.getAsInt());
        latency.render(out, "seemore_request_latency_seconds", "Time from a request's arrival to its last token.");
        firstToken.render(out, "seemore_time_to_first_token_seconds", "Time from a request's arrival to its first token.");
        out.append("# HELP seemore_expert_tokens_total Generated tokens routed to each expert, per layer.\n# TYPE seemore_expert_tokens_total counter\n");
        for (int l = 0; l < layers; l++) {
            for (int e = 0; e < experts; e++) {
                out.append("seemore_expert_tokens_total{layer=\"").append(l).append("\",expert=\"").append(e).append("\"} ")
                        .append(expertLoad.get(l * experts + e)).append('\n');
            }
        }
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }

    /** Cumulative buckets, a sum and a count. */
    private static final class Histogram {
        private final long[] counts = new long[BUCKETS.length + 1];
        private double sum;

        synchronized void observe(double seconds) {
            int i = 0;
            while (i < BUCKETS.length && seconds > BUCKETS[i]) i++;
            counts[i]++;
            sum += seconds;
        }

        synchronized void render(StringBuilder out, String name, String help) {
            out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" histogram\n");
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += counts[i];
                out.append(name).append("_bucket{le=\"").append(BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
            }
            cumulative += counts[BUCKETS.length];
            out.append(name).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
            out.append(name).append("_sum ").append(sum).append('\n').append(name).append("_count ").append(cumulative).append('\n');
        }
    }
}
