package org.seemore.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.TinyHfModels;

/** A client of a Hugging Face model's server that disconnects cancels its generation between two tokens. */
class HfDisconnectTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    private static long metric(OpenAiServer server, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(Served.get(server, "/metrics").body());
        assertThat(m.find()).as(name).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void aClientThatDisconnectsCancelsItsGeneration() throws Exception {
        // no eos_token in the tokenizer config and a rare end id: the reply runs long unless cancelled
        Path dir = TinyHfModels.build(tmp.resolve("qwen"), "qwen2", "chatml", java.util.Map.of());
        java.nio.file.Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 509}");
        String body = "{\"model\":\"q\",\"temperature\":0,\"max_tokens\":60,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        ServeSettings settings = ServeSettings.defaults("127.0.0.1", 0).withLimits(1 << 20, 1 << 20, 60, 4, 4);
        try (OpenAiServer server = new OpenAiServer(HfSession.open(dir), "q", settings).start()) {
            server.hf.pace(Duration.ofMillis(20));
            var full = JSON.readTree(Served.post(server, body, null).body());
            int fullTokens = full.at("/usage/completion_tokens").asInt();
            assertThat(fullTokens).isGreaterThan(40);
            long generated = metric(server, "seemore_generated_tokens_total");

            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                byte[] json = body.getBytes(StandardCharsets.UTF_8);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                        + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(json);
                out.flush();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (metric(server, "seemore_generated_tokens_total") < generated + 3 && System.nanoTime() < deadline) Thread.sleep(5);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (metric(server, "seemore_client_disconnects_total") < 1 && System.nanoTime() < deadline) Thread.sleep(5);
            while (server.hf.running() > 0 && System.nanoTime() < deadline) Thread.sleep(5);

            assertThat(metric(server, "seemore_client_disconnects_total")).isEqualTo(1);
            assertThat(server.hf.running()).isZero();
            assertThat(metric(server, "seemore_generated_tokens_total") - generated).as("tokens generated for the client that left").isLessThan(fullTokens / 2);
        }
    }
}
