package org.seemore.serve;

import java.time.Duration;

/**
 * The server's settings and limits, each answered with its own status code when exceeded.
 *
 * @param host              address to bind (127.0.0.1: this machine only)
 * @param port              0 picks a free port
 * @param apiKey            a Bearer key every /v1 and /metrics request must carry, or null for none
 * @param maxBodyBytes      larger request bodies get 413
 * @param maxImagePixels    width x height from the image's header above this gets 413, before decoding
 * @param maxNewTokens      a request's max_tokens above this gets 400; also the default max_tokens
 * @param maxSequences      sequences generated at once (the batch); more wait in the queue
 * @param maxQueue          requests waiting for a place in the batch; more get 429
 * @param requestTimeout    a request still running after this is cancelled and answered 503
 * @param shutdownGrace     on shutdown, how long running requests may take to finish
 */
public record ServeSettings(String host, int port, String apiKey, long maxBodyBytes, long maxImagePixels,
                            int maxNewTokens, int maxSequences, int maxQueue, Duration requestTimeout, Duration shutdownGrace) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;
    public static final long DEFAULT_MAX_IMAGE_PIXELS = 4096L * 4096;
    public static final int DEFAULT_MAX_NEW_TOKENS = 200;
    public static final int DEFAULT_MAX_SEQUENCES = 32;
    public static final int DEFAULT_MAX_QUEUE = 64;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

    public ServeSettings {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("--host must not be empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        if (apiKey != null && apiKey.isEmpty()) apiKey = null;
        if (maxBodyBytes < 1) throw new IllegalArgumentException("--max-body-bytes must be positive");
        if (maxImagePixels < 1) throw new IllegalArgumentException("--max-image-pixels must be positive");
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be positive");
        if (maxSequences < 1) throw new IllegalArgumentException("--max-sequences must be positive");
        if (maxQueue < 1) throw new IllegalArgumentException("--max-queue must be positive");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("--timeout must be positive");
        if (shutdownGrace.isNegative()) throw new IllegalArgumentException("--shutdown-grace must be >= 0");
    }

    /** Every default, on {@code host}:{@code port}. */
    public static ServeSettings defaults(String host, int port) {
        return new ServeSettings(host, port, null, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_NEW_TOKENS,
                DEFAULT_MAX_SEQUENCES, DEFAULT_MAX_QUEUE, DEFAULT_REQUEST_TIMEOUT, DEFAULT_SHUTDOWN_GRACE);
    }

    public ServeSettings withApiKey(String key) {
        return new ServeSettings(host, port, key, maxBodyBytes, maxImagePixels, maxNewTokens, maxSequences, maxQueue, requestTimeout, shutdownGrace);
    }

    public ServeSettings withLimits(long body, long pixels, int newTokens, int sequences, int queue) {
        return new ServeSettings(host, port, apiKey, body, pixels, newTokens, sequences, queue, requestTimeout, shutdownGrace);
    }

    public ServeSettings withTimes(Duration timeout, Duration grace) {
        return new ServeSettings(host, port, apiKey, maxBodyBytes, maxImagePixels, maxNewTokens, maxSequences, maxQueue, timeout, grace);
    }
}
