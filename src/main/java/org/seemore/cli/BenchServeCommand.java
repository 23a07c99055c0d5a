package org.seemore.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seemore.UserException;
import org.seemore.data.synth.ShapesDataset;
import org.seemore.generate.hf.HfModels;
import org.seemore.generate.hf.HfSession;
import org.seemore.model.ModelDirectory;
import org.seemore.serve.OpenAiServer;
import org.seemore.serve.ServeBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seemore bench serve}: a load test of {@code seemore serve} on this machine. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Start a server on 127.0.0.1 and load it with concurrent streaming clients: requests/s, tokens/s, "
                + "latency and time-to-first-token percentiles, peak resident memory.")
public final class BenchServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model or run directory, or a Hugging Face model directory.")
    Path model;

    @Option(names = "--clients", paramLabel = "N", description = "Concurrent clients (default: ${DEFAULT-VALUE}).", defaultValue = "4")
    int clients;

    @Option(names = "--requests", paramLabel = "M", description = "Requests in all (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int requests;

    @Option(names = "--max-tokens", paramLabel = "N", description = "max_tokens of each request (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int maxTokens;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop sending after this many seconds, even if fewer than --requests "
            + "were sent (a soak; default: no limit).", defaultValue = "0")
    double duration;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    /** A synthetic test scene, PNG-encoded: what the clients send. */
    private static byte[] scenePng() throws java.io.IOException {
        var example = ShapesDataset.example(org.seemore.data.synth.ShapesConfig.defaults(), org.seemore.data.synth.Split.TEST, 0);
        var rgb = ((org.seemore.data.image.ImageSource.PixelImage) example.image()).image();
        var image = new java.awt.image.BufferedImage(rgb.width(), rgb.height(), java.awt.image.BufferedImage.TYPE_INT_RGB);
        byte[] p = rgb.rgb();
        for (int i = 0; i < rgb.width() * rgb.height(); i++) {
            image.setRGB(i % rgb.width(), i / rgb.width(), (p[3 * i] & 0xFF) << 16 | (p[3 * i + 1] & 0xFF) << 8 | (p[3 * i + 2] & 0xFF));
        }
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || clients > 1024) throw new UserException("--clients must be in 1..1024");
        if (requests < 1) throw new UserException("--requests must be positive");
        if (maxTokens < 1) throw new UserException("--max-tokens must be positive");
        if (duration < 0 || Double.isNaN(duration)) throw new UserException("--duration must be zero (no limit) or positive");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Map<String, Object> r;
        if (HfModels.isHuggingFace(model)) {
            HfSession session = HfSession.open(model);
            session.requireChatTemplate();
            r = ServeBenchmark.run(settings -> new OpenAiServer(session, "bench", settings), session.readsImages() ? scenePng() : null,
                    clients, requests, maxTokens, duration);
        } else {
            ModelDirectory.Loaded loaded = ModelDirectory.load(model);
            r = ServeBenchmark.run(loaded.model(), loaded.tokenizer(), scenePng(), clients, requests, maxTokens, duration);
        }
        System.out.printf("%d clients, %d requests (%d failed) in %.1f s: %.1f requests/s, %.0f tokens/s (%.1f tokens each)%n", clients,
                (int) r.get("requests"), (int) r.get("errors"), r.get("seconds"), r.get("requests_per_s"), r.get("tokens_per_s"), r.get("mean_tokens"));
        System.out.printf("latency p50/p95/p99 %.0f/%.0f/%.0f ms; first token p50/p95/p99 %.0f/%.0f/%.0f ms; peak RSS %.0f MB%n",
                r.get("latency_p50_ms"), r.get("latency_p95_ms"), r.get("latency_p99_ms"), r.get("ttft_p50_ms"), r.get("ttft_p95_ms"),
                r.get("ttft_p99_ms"), r.get("peak_rss_mb"));
        if (r.containsKey("first_error")) System.out.println("first failure: " + r.get("first_error"));
        if (json != null) JsonReport.write(json, r);
        return (int) r.get("errors") == 0 ? 0 : 1;
    }
}
