package org.seemore.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every limit and refusal, each with its status code and OpenAI's error JSON. */
class ServeLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static OpenAiServer server;
    private static final String KEY = "sk-limits";
    private static final String IMAGE = Served.dataUri(Served.png(3));

    @BeforeAll
    static void start() {
        server = Served.start(ServeSettings.defaults("127.0.0.1", 0).withApiKey(KEY).withLimits(200_000, 100_000, 40, 1, 1));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Posts and checks the status and the error's code; returns the error object. */
    private static JsonNode refused(String body, String key, int status, String code) throws Exception {
        HttpResponse<String> r = Served.post(server, body, key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.has("type") && error.has("param")).isTrue();
        return error;
    }

    @Test
    void aGoodRequestIsAnswered() {
        assertThat(Served.post(server, Served.chat(Served.MODEL, "a", IMAGE, ",\"max_tokens\":5"), KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void aMissingOrWrongKeyGets401() throws Exception {
        refused(Served.chat(Served.MODEL, "a", IMAGE, ""), "sk-wrong", 401, "invalid_api_key");
        refused(Served.chat(Served.MODEL, "a", IMAGE, ""), null, 401, "invalid_api_key");
        assertThat(Served.get(server, "/v1/models").statusCode()).isEqualTo(401);
        assertThat(Served.get(server, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void anOversizedBodyGets413() throws Exception {
        String big = Served.dataUri(new byte[160_000]);
        refused(Served.chat(Served.MODEL, "a", big, ""), KEY, 413, "request_too_large");
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeader() throws Exception {
        refused(Served.chat(Served.MODEL, "a", Served.dataUri(bomb()), ""), KEY, 413, "image_too_large");
    }

    @Test
    void badImagesAndParametersGet400() throws Exception {
        refused(Served.chat(Served.MODEL, "a", "data:image/png;base64,@@not*base64@@", ""), KEY, 400, "invalid_base64");
        refused(Served.chat(Served.MODEL, "a", "data:image/png;base64,aGVsbG8=", ""), KEY, 400, "invalid_image");
        refused(Served.chat(Served.MODEL, "a", null, ""), KEY, 400, "missing_image");
        refused(Served.chat(Served.MODEL, "a", "https://example.com/cat.png", ""), KEY, 400, "remote_image_refused");
        refused(Served.chat(Served.MODEL, "a", "/etc/passwd", ""), KEY, 400, "invalid_image_url");
        assertThat(refused(Served.chat(Served.MODEL, "a", IMAGE, ",\"max_tokens\":41"), KEY, 400, "invalid_value").get("param").asText())
                .isEqualTo("max_tokens");
        refused(Served.chat(Served.MODEL, "a", IMAGE, ",\"n\":2"), KEY, 400, "unsupported_value");
        refused(Served.chat(Served.MODEL, "a", IMAGE, ",\"temperature\":-1"), KEY, 400, "invalid_value");
        refused("{not json", KEY, 400, "invalid_json");
        String twoImages = "{\"model\":\"" + Served.MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\""
                + IMAGE + "\"}},{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + IMAGE + "\"}}]}]}";
        assertThat(refused(twoImages, KEY, 400, "invalid_value").get("message").asText()).contains("one image per request");
    }

    @Test
    void anUnknownModelGets404AsFromOpenAi() throws Exception {
        refused(Served.chat("gpt-4o", "a", IMAGE, ""), KEY, 404, "model_not_found");
    }

    @Test
    void aFullQueueGets429() throws Exception {
        server.scheduler.pause(true);
        try {
            String small = Served.chat(Served.MODEL, "a", IMAGE, ",\"max_tokens\":3");
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> Served.post(server, small, KEY));
            while (server.scheduler.queued() < 1) {
                assertThat(first).as("the first request waits while the scheduler is paused").isNotDone();
                Thread.sleep(5);
            }
            // paused, the scheduler takes nothing: the queue (of 1) holds the first request and the next is refused
            refused(small, KEY, 429, "queue_full");
            assertThat(Served.get(server, "/metrics").statusCode()).isEqualTo(401);
            server.scheduler.pause(false);
            assertThat(first.get().statusCode()).isEqualTo(200);
        } finally {
            server.scheduler.pause(false);
        }
    }

    @Test
    void aRequestPastItsTimeoutGets503() throws Exception {
        OpenAiServer slow = Served.start(ServeSettings.defaults("127.0.0.1", 0)
                .withTimes(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(1)));
        try {
            slow.scheduler.pause(true);
            HttpResponse<String> r = Served.post(slow, Served.chat(Served.MODEL, "a", IMAGE, ""), null);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(r.body()).get("error").get("code").asText()).isEqualTo("timeout");
        } finally {
            slow.scheduler.pause(false);
            slow.close();
        }
    }

    /** A valid PNG header claiming 50000x50000 pixels (2.5 gigapixels), its checksum fixed. */
    private static byte[] bomb() {
        byte[] png = Served.png(1);
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, 50_000).putInt(20, 50_000);                  // IHDR data starts at 16: width, height
        CRC32 crc = new CRC32();
        crc.update(png, 12, 4 + 13);                               // "IHDR" and its 13 data bytes
        b.putInt(29, (int) crc.getValue());
        return Arrays.copyOf(png, png.length);
    }
}
