package org.seemore.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that closes its connection cancels its generation, streaming or not, running or still
 * queued: its place in the batch is freed long before max_tokens, and the server goes on serving.
 * The scheduler is paced (10 ms a step) so that a generation of 100 tokens takes a second.
 */
class DisconnectTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKENS = 100;
    private static final String IMAGE = Served.dataUri(Served.png(0));
    private static OpenAiServer server;

    @BeforeAll
    static void start() {
        server = Served.start(ServeSettings.defaults("127.0.0.1", 0).withLimits(1 << 20, 1 << 20, MAX_TOKENS, 4, 4));
        server.scheduler.pace(Duration.ofMillis(10));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String body(boolean stream) {
        return Served.chat(Served.MODEL, "a", IMAGE, ",\"max_tokens\":" + MAX_TOKENS + ",\"temperature\":0,\"stream\":" + stream);
    }

    /** Opens a connection and sends the request on it, nothing more. */
    private static Socket send(String body) throws Exception {
        Socket socket = new Socket("127.0.0.1", server.port());
        byte[] json = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(json);
        out.flush();
        return socket;
    }

    private static long metric(String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(Served.get(server, "/metrics").body());
        assertThat(m.find()).as(name).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** The request, answered in full, generates all of its max_tokens: what a disconnect must cut short. */
    private static void runsToLength() throws Exception {
        JsonNode answer = JSON.readTree(Served.post(server, body(false), null).body());
        assertThat(answer.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        assertThat(answer.get("usage").get("completion_tokens").asInt()).isEqualTo(MAX_TOKENS);
    }

    /** Sends the request, lets it generate a few tokens, closes the socket; the sequence must leave the batch early. */
    private static void disconnectMidway(boolean stream) throws Exception {
        long generated = metric("seemore_generated_tokens_total"), disconnects = metric("seemore_client_disconnects_total");
        try (Socket socket = send(body(stream))) {
            await("a few tokens", () -> metric("seemore_generated_tokens_total") >= generated + 3);
            if (stream) {
                InputStream in = socket.getInputStream();
                assertThat(new String(in.readNBytes(15), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
            }
        }
        await("the disconnect", () -> metric("seemore_client_disconnects_total") == disconnects + 1);
        await("the batch to empty", () -> metric("seemore_running_sequences") == 0);
        long spent = metric("seemore_generated_tokens_total") - generated;
        assertThat(spent).as("tokens generated for the client that left").isLessThan(MAX_TOKENS / 2);
        runsToLength(); // and the server keeps serving
    }

    @Test
    void aNonStreamingClientThatDisconnectsCancelsItsGeneration() throws Exception {
        runsToLength();
        disconnectMidway(false);
    }

    @Test
    void aStreamingClientThatDisconnectsCancelsItsGeneration() throws Exception {
        disconnectMidway(true);
    }

    @Test
    void aClientThatLeavesWhileQueuedIsNeverGenerated() throws Exception {
        long generated = metric("seemore_generated_tokens_total"), disconnects = metric("seemore_client_disconnects_total");
        server.scheduler.pause(true);
        try {
            for (boolean stream : new boolean[] {false, true}) {
                long before = metric("seemore_client_disconnects_total");
                send(body(stream)).close();
                await("the disconnect", () -> metric("seemore_client_disconnects_total") == before + 1);
            }
        } finally {
            server.scheduler.pause(false);
        }
        await("the queue to empty", () -> server.scheduler.queued() == 0 && metric("seemore_running_sequences") == 0);
        assertThat(metric("seemore_generated_tokens_total")).isEqualTo(generated);
        assertThat(metric("seemore_client_disconnects_total")).isEqualTo(disconnects + 2);
        runsToLength();
    }

    @Test
    void bytesSentBeforeTheAnswerDoNotCancelItButCloseTheConnectionAfterIt() throws Exception {
        long generated = metric("seemore_generated_tokens_total"), disconnects = metric("seemore_client_disconnects_total");
        try (Socket socket = send(body(false))) {
            socket.setSoTimeout(20_000);
            await("a few tokens", () -> metric("seemore_generated_tokens_total") >= generated + 3);
            // a request pipelined after a POST (RFC 9112 says a client should not): the probe takes its first byte
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // to the server's close
            assertThat(response).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("\r\nConnection: close\r\n");
            assertThat(response.split("HTTP/1.1 ", -1)).as("one response only").hasSize(2);
            JsonNode answer = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
            assertThat(answer.get("usage").get("completion_tokens").asInt()).isEqualTo(MAX_TOKENS);
        }
        assertThat(metric("seemore_client_disconnects_total")).isEqualTo(disconnects);
    }
}
