package org.seemore.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.text.CharTokenizer;
import org.seemore.generate.Generator;
import org.seemore.generate.hf.HfSession;
import org.seemore.model.Vlm;
import org.seemore.tensor.Tensor;
import org.seemore.train.SequenceEncoder;

/**
 * The HTTP server: OpenAI's {@code POST /v1/chat/completions} (streaming or not) and
 * {@code GET /v1/models}, {@code GET /health}, {@code GET /metrics} (Prometheus) and the web page
 * at {@code /}. Requests are checked here, at the boundary; a {@link Runner} generates: the
 * {@link Scheduler} with seemore's own models, the {@link HfRunner} with a Hugging Face directory's.
 */
public final class OpenAiServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Vlm model;
    private final CharTokenizer tokenizer;
    private final String modelName;
    private final ServeSettings settings;
    private final ImageTransform transform;
    private final SequenceEncoder encoder;
    final Scheduler scheduler;  // null for a Hugging Face model
    final HfRunner hf;  // null for seemore's own
    private final Runner runner;  // the one of the two
    final Metrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final long created = System.currentTimeMillis() / 1000;
    private final byte[] apiKey;
    private Javalin app;
    private volatile boolean closing;

    public OpenAiServer(Vlm model, CharTokenizer tokenizer, String modelName, ServeSettings settings) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.modelName = modelName;
        this.settings = settings;
        this.transform = ImageTransform.imagenet(model.config().imageSize());
        this.encoder = new SequenceEncoder(tokenizer, model.config().maxTextTokens());
        this.scheduler = new Scheduler(model, settings.maxSequences(), settings.maxQueue());
        var lm = model.language().config();
        this.metrics = new Metrics(lm.layers(), lm.numExperts(), scheduler::queued, scheduler::running);
        this.apiKey = settings.apiKey() == null ? null : settings.apiKey().getBytes(StandardCharsets.UTF_8);
        this.hf = null;
        this.runner = scheduler;
    }

    /**
     * A server over a Hugging Face model directory's session: every message goes through its chat
     * template, images optional (a text-only model refuses them with 400), one request generating
     * at a time ({@link HfRunner}); {@code maxSequences} does not apply, nor the expert-load metric
     * (the session reports no routes).
     */
    public OpenAiServer(HfSession session, String modelName, ServeSettings settings) {
        this.model = null;
        this.tokenizer = null;
        this.transform = null;
        this.encoder = null;
        this.scheduler = null;
        this.modelName = modelName;
        this.settings = settings;
        this.hf = new HfRunner(session, settings.maxQueue(), settings.maxImagePixels());
        this.runner = hf;
        this.metrics = new Metrics(0, 1, hf::queued, hf::running);
        this.apiKey = settings.apiKey() == null ? null : settings.apiKey().getBytes(StandardCharsets.UTF_8);
    }

    /** Binds the port and starts serving. */
    public OpenAiServer start() {
        runner.start();
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.disableCompression(); // server-sent events must reach the client token by token
            config.http.maxRequestSize = settings.maxBodyBytes();
        });
        app.before(ctx -> {
            String path = ctx.path();
            if ((path.startsWith("/v1/") || path.equals("/metrics")) && !authorized(ctx.header("Authorization"))) {
                throw new ApiError(401, "invalid_request_error", "invalid_api_key", null, "missing or wrong API key (send 'Authorization: Bearer KEY')");
            }
        });
        app.exception(ApiError.class, (e, ctx) -> error(ctx, e));
        app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(resource("index.html")));
        app.get("/health", ctx -> {
            ctx.status(closing ? 503 : 200).json(Map.of("status", closing ? "shutting down" : "ok"));
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render()));
        app.get("/v1/models", ctx -> ctx.contentType("application/json").result(JSON.writeValueAsString(Map.of("object", "list",
                "data", List.of(Map.of("id", modelName, "object", "model", "created", created, "owned_by", "seemore"))))));
        app.post("/v1/chat/completions", this::chat);
        app.start(settings.host(), settings.port());
        return this;
    }

    public int port() { return app.port(); }

    public String modelName() { return modelName; }

    /** Constant-time comparison of the Bearer key. */
    private boolean authorized(String header) {
        if (apiKey == null) return true;
        if (header == null || !header.startsWith("Bearer ")) return false;
        return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8), apiKey);
    }

    private void chat(Context ctx) throws Exception {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        try {
            ChatRequest request = ChatRequest.parse(body(ctx), settings);
            if (!request.model().equals(modelName)) {
                throw new ApiError(404, "invalid_request_error", "model_not_found", "model",
                        "the model '" + request.model() + "' does not exist; this server serves '" + modelName + "'");
            }
            Job job;
            Completion.TokenText text;
            int promptTokens;
            if (hf != null) {
                HfSession.Prompt prompt = hf.prompt(request);
                job = new Job(prompt.pixelValues(), prompt.ids(), new Generator.Settings(request.maxTokens(), -1, request.sampler(), request.seed()), metrics);
                runner.submit(job);
                text = hf.text();
                promptTokens = prompt.ids().length;
            } else {
                if (request.imageUrl() == null) {
                    throw ApiError.badRequest("messages", "missing_image", "the user message needs an image_url part (a data: URI)");
                }
                if (lastUser(request).imageUrls().size() > 1) {
                    throw ApiError.badRequest("messages", "invalid_value", "one image per request; this message has several");
                }
                int size = transform.size();
                Tensor image = Tensor.of(ImageInput.pixels(request.imageUrl(), transform, settings.maxImagePixels()), 1, 3, size, size);
                int[] prompt = encoder.promptTokens(request.prompt());
                job = new Job(image, prompt, new Generator.Settings(request.maxTokens(), CharTokenizer.EOS, request.sampler(), request.seed()), metrics);
                runner.submit(job);
                text = token -> tokenizer.decode(new int[] {token});
                promptTokens = model.config().numVisualTokens() + prompt.length;
            }
            Completion completion = new Completion(request, job, text, metrics, ClientProbe.of(ctx.req()), start,
                    start + settings.requestTimeout().toNanos(), promptTokens);
            if (request.stream()) completion.stream(ctx, modelName);
            else completion.respond(ctx, modelName);
        } catch (Completion.ClientGone gone) {
            ctx.status(499); // nobody to answer; the status is for the metrics
        } finally {
            inFlight.decrementAndGet();
            metrics.request(ctx.statusCode());
        }
    }

    private static ChatRequest.Message lastUser(ChatRequest request) {
        ChatRequest.Message user = null;
        for (ChatRequest.Message m : request.messages()) if (m.role().equals("user")) user = m;
        return user;
    }

    /** The body, refused with 413 past the limit (read no further than it). */
    private byte[] body(Context ctx) throws IOException {
        long limit = settings.maxBodyBytes();
        if (ctx.req().getContentLengthLong() > limit) throw tooLarge(limit);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                if (out.size() > limit) throw tooLarge(limit);
            }
        }
        return out.toByteArray();
    }

    private static ApiError tooLarge(long limit) {
        return new ApiError(413, "invalid_request_error", "request_too_large", null, "the request body exceeds this server's limit of " + limit + " bytes");
    }

    static void error(Context ctx, ApiError e) {
        try {
            ctx.status(e.status()).contentType("application/json").result(JSON.writeValueAsString(e.body()));
        } catch (IOException io) {
            ctx.status(e.status());
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = OpenAiServer.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Graceful shutdown: new requests get 503; running ones have the grace period to finish. */
    @Override
    public void close() {
        closing = true;
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        try {
            runner.shutdown(settings.shutdownGrace());
            while (inFlight.get() > 0 && System.nanoTime() < deadline + Duration.ofSeconds(1).toNanos()) Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (app != null) app.stop();
    }
}
