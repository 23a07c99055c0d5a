package org.seemore.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.seemore.model.ModelDirectory;
import org.seemore.generate.hf.HfModels;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.WeightDtype;
import org.seemore.serve.OpenAiServer;
import org.seemore.serve.ServeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seemore serve}: an OpenAI-compatible endpoint and a web page over one model. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a model over HTTP: POST /v1/chat/completions (OpenAI's API, streaming or not; images as data: URIs),",
                "GET /v1/models, /health, /metrics (Prometheus), and a web page at /. Concurrent requests are batched.",
                "Stops gracefully on SIGTERM or Ctrl-C: running requests get --shutdown-grace to finish."})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model or run directory, or a Hugging Face model directory (its chat template renders the messages).")
    Path model;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only).",
            defaultValue = ServeSettings.DEFAULT_HOST)
    String host;

    @Option(names = "--port", paramLabel = "N", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).", defaultValue = "8080")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' (default: $SEEMORE_API_KEY, else none).",
            defaultValue = "${env:SEEMORE_API_KEY}")
    String apiKey;

    @Option(names = "--max-body-bytes", paramLabel = "N", description = "Larger requests get 413 (default: ${DEFAULT-VALUE}).", defaultValue = "8388608")
    long maxBodyBytes;

    @Option(names = "--max-image-pixels", paramLabel = "N", description = "Larger images (per their header) get 413 (default: ${DEFAULT-VALUE}).",
            defaultValue = "16777216")
    long maxImagePixels;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Most tokens a request may ask for, and the default (default: ${DEFAULT-VALUE}).",
            defaultValue = "200")
    int maxNewTokens;

    @Option(names = "--max-sequences", paramLabel = "N", description = "Sequences generated together (default: ${DEFAULT-VALUE}).", defaultValue = "32")
    int maxSequences;

    @Option(names = "--max-queue", paramLabel = "N", description = "Requests waiting beyond those; more get 429 (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int maxQueue;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Per-request time limit; then 503 (default: ${DEFAULT-VALUE}).", defaultValue = "60")
    double timeoutSeconds;

    @Option(names = "--shutdown-grace", paramLabel = "SECONDS", description = "Time running requests get on shutdown (default: ${DEFAULT-VALUE}).",
            defaultValue = "10")
    double graceSeconds;

    @Mixin
    DtypeOption dtype;

    @Option(names = "--model-name", paramLabel = "NAME", description = "The model's id in the API (default: the directory's name).")
    String modelName;

    @Override
    public Integer call() throws Exception {
        ServeSettings settings = CliSupport.parse("--max-*/--timeout/--port", () -> new ServeSettings(host, port, apiKey, maxBodyBytes,
                maxImagePixels, maxNewTokens, maxSequences, maxQueue, seconds(timeoutSeconds), seconds(graceSeconds)));
        WeightDtype weights = dtype.parse();
        String name = modelName != null ? modelName : model.toAbsolutePath().normalize().getFileName().toString();
        OpenAiServer unstarted;
        String held = "";
        if (HfModels.isHuggingFace(model)) {
            HfSession session = HfSession.open(model, weights);
            held = " (weights " + session.weightsInMemory() + ")";
            session.requireChatTemplate(); // requests are conversations: refuse a directory without a template now, not per request
            unstarted = new OpenAiServer(session, name, settings);
        } else {
            dtype.checkOwnModel(model);
            ModelDirectory.Loaded loaded = ModelDirectory.load(model);
            unstarted = new OpenAiServer(loaded.model(), loaded.tokenizer(), name, settings);
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        OpenAiServer server = unstarted.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("seemore serve: shutting down (running requests get " + graceSeconds + " s)");
            server.close();
            stopped.countDown();
        }));
        System.err.println("seemore serve: model '" + name + "'" + held + " on http://" + host + ":" + server.port() + "/ ("
                + (settings.apiKey() == null ? "no API key" : "API key required") + ")");
        stopped.await();
        return 0;
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }
}
