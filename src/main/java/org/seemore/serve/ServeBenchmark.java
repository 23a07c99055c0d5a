package org.seemore.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.Vlm;

/**
 * A bounded load test: a server on 127.0.0.1 (a free port), {@code clients} concurrent streaming
 * clients sending {@code requests} requests in all, or until {@code seconds} have passed (a soak);
 * requests/s, tokens/s, latency and time to first token percentiles, failed requests, and the
 * process's peak resident memory. A failed request is counted, not fatal, so that a soak reports
 * how many of its requests failed.
 */
public final class ServeBenchmark {
    private ServeBenchmark() {}

    /** Runs {@code requests} requests, or fewer if {@code seconds} (when positive) pass first. */
    public static Map<String, Object> run(Vlm model, CharTokenizer tokenizer, byte[] png, int clients, int requests, int maxTokens,
                                          double seconds) throws Exception {
        return run(settings -> new OpenAiServer(model, tokenizer, "bench", settings), png, clients, requests, maxTokens, seconds);
    }

    /**
     * The same over any server {@code server} builds for the settings (a Hugging Face directory's
     * session); {@code png} null asks in text alone (a text-only model).
     */
    public static Map<String, Object> run(java.util.function.Function<ServeSettings, OpenAiServer> server, byte[] png, int clients,
                                          int requests, int maxTokens, double seconds) throws Exception {
        ServeSettings settings = ServeSettings.defaults("127.0.0.1", 0).withLimits(ServeSettings.DEFAULT_MAX_BODY_BYTES,
                ServeSettings.DEFAULT_MAX_IMAGE_PIXELS, maxTokens, clients, clients); // a client has one request out at a time
        try (OpenAiServer running = server.apply(settings).start();
             ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            HttpClient http = HttpClient.newHttpClient();
            String content = png == null ? "\"Describe a scene.\"" : "[{\"type\":\"image_url\","
                    + "\"image_url\":{\"url\":\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\"}}]";
            String body = "{\"model\":\"bench\",\"stream\":true,\"temperature\":0,\"max_tokens\":" + maxTokens
                    + ",\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":" + content + "}]}";
            URI uri = URI.create("http://127.0.0.1:" + running.port() + "/v1/chat/completions");
            List<double[]> results = Collections.synchronizedList(new ArrayList<>()); // latency, ttft, tokens
            AtomicInteger next = new AtomicInteger(), errors = new AtomicInteger();
            AtomicReference<String> firstError = new AtomicReference<>();
            long start = System.nanoTime();
            long end = seconds > 0 ? start + (long) (seconds * 1e9) : Long.MAX_VALUE;
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < end && next.getAndIncrement() < requests) {
                        long t0 = System.nanoTime();
                        double[] row = {0, -1, 0};
                        try {
                            request(http, uri, body, t0, row);
                        } catch (java.io.IOException | RuntimeException e) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e.toString());
                            continue;
                        }
                        results.add(row);
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) w.get();
            double elapsed = (System.nanoTime() - start) / 1e9;
            return report(clients, results, errors.get(), firstError.get(), elapsed);
        }
    }

    /** One streaming request: fills row with its latency, time to first token and completion tokens; throws if it failed. */
    private static void request(HttpClient http, URI uri, String body, long t0, double[] row) throws java.io.IOException, InterruptedException {
        HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            r.body().close();
            throw new IllegalStateException("status " + r.statusCode());
        }
        boolean[] done = {false};
        r.body().forEach(line -> {
            if (line.equals("data: [DONE]")) done[0] = true;
            if (!line.startsWith("data: {")) return;
            try {
                JsonNode chunk = OpenAiServer.JSON.readTree(line.substring(6));
                if (chunk.has("error")) throw new IllegalStateException("error event " + chunk.get("error"));
                if (row[1] < 0 && !chunk.path("choices").path(0).path("delta").path("content").asText("").isEmpty()) {
                    row[1] = (System.nanoTime() - t0) / 1e9;
                }
                if (chunk.has("usage")) row[2] = chunk.get("usage").get("completion_tokens").asInt();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!done[0]) throw new IllegalStateException("the stream ended without [DONE]");
        row[0] = (System.nanoTime() - t0) / 1e9;
    }

    private static Map<String, Object> report(int clients, List<double[]> results, int errors, String firstError, double seconds) {
        double tokens = results.stream().mapToDouble(r -> r[2]).sum();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("clients", clients);
        out.put("requests", results.size());
        out.put("errors", errors);
        if (firstError != null) out.put("first_error", firstError);
        out.put("seconds", seconds);
        out.put("requests_per_s", results.size() / seconds);
        out.put("tokens_per_s", tokens / seconds);
        out.put("mean_tokens", results.isEmpty() ? 0 : tokens / results.size());
        for (double p : new double[] {50, 95, 99}) {
            out.put("latency_p" + (int) p + "_ms", 1000 * percentile(results.stream().mapToDouble(r -> r[0]).toArray(), p));
            out.put("ttft_p" + (int) p + "_ms", 1000 * percentile(results.stream().mapToDouble(r -> r[1]).toArray(), p));
        }
        out.put("peak_rss_mb", peakRssMb());
        return out;
    }

    private static double percentile(double[] values, double p) {
        if (values.length == 0) return Double.NaN;
        java.util.Arrays.sort(values);
        return values[Math.min(values.length - 1, (int) Math.ceil(p / 100 * values.length) - 1)];
    }

    /** VmHWM from /proc/self/status (Linux), or -1. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
