package org.seemore.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Concurrent requests batched together get exactly what they get one at a time; streams, metrics, stops. */
class BatchingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int N = 6;

    private static String request(int i) {
        return Served.chat(Served.MODEL, "abc".substring(0, i % 3), Served.dataUri(Served.png(i)), ",\"max_tokens\":" + (10 + 3 * i) + ",\"temperature\":0");
    }

    private static String content(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("choices").get(0).get("message").get("content").asText();
    }

    @Test
    void concurrentGreedyRequestsReturnWhatSequentialOnesReturn() throws Exception {
        OpenAiServer server = Served.start();
        try (ExecutorService pool = Executors.newFixedThreadPool(N)) {
            List<String> sequential = new ArrayList<>();
            for (int i = 0; i < N; i++) sequential.add(content(Served.post(server, request(i), null)));
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                int j = i;
                futures.add(pool.submit(() -> Served.post(server, request(j), null)));
            }
            for (int i = 0; i < N; i++) assertThat(content(futures.get(i).get())).as("request %d", i).isEqualTo(sequential.get(i));
            for (int i = 0; i < N; i++) assertThat(sequential.get(i)).isEqualTo(Served.caption(Served.png(i), "abc".substring(0, i % 3), 10 + 3 * i));

            String metrics = Served.get(server, "/metrics").body();
            assertThat(metrics).contains("seemore_requests_total{code=\"200\"} " + 2 * N, "seemore_queue_length 0",
                    "seemore_request_latency_seconds_count " + 2 * N, "seemore_expert_tokens_total{layer=\"0\",expert=\"0\"}");
        } finally {
            server.close();
        }
    }

    @Test
    void aStreamCarriesTheRoutesOfEveryTokenAndEndsWithDone() throws Exception {
        OpenAiServer server = Served.start();
        try {
            HttpResponse<String> r = Served.post(server, request(1).replace("\"temperature\":0", "\"temperature\":0,\"stream\":true"), null);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            String[] events = r.body().split("\n\n");
            assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
            StringBuilder text = new StringBuilder();
            int routed = 0;
            for (int i = 0; i < events.length - 1; i++) {
                JsonNode chunk = JSON.readTree(events[i].substring("data: ".length()));
                assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
                text.append(chunk.get("choices").get(0).get("delta").path("content").asText(""));
                for (JsonNode token : chunk.path("routes")) {
                    routed++;
                    assertThat(token).hasSize(Served.VLM.config().language().layers());
                    assertThat(token.get(0)).hasSize(Served.VLM.config().language().topK());
                }
            }
            assertThat(text.toString()).isEqualTo(content(Served.post(server, request(1), null)));
            assertThat(routed).isGreaterThanOrEqualTo(text.length());
        } finally {
            server.close();
        }
    }

    @Test
    void aStopSequenceCutsTheAnswer() throws Exception {
        OpenAiServer server = Served.start();
        try {
            String full = content(Served.post(server, request(4), null));
            String stop = full.substring(5, 7);
            String cut = content(Served.post(server, request(4).replace("\"temperature\":0", "\"temperature\":0,\"stop\":[\"" + stop + "\"]"), null));
            assertThat(cut).isEqualTo(full.substring(0, full.indexOf(stop)));
        } finally {
            server.close();
        }
    }
}
