package org.seemore.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.image.ImageSource;
import org.seemore.generate.Sampler;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.TinyHfModels;
import org.seemore.generate.hf.TinyLlavaModels;
import org.seemore.generate.hf.Turn;
import org.seemore.tensor.Rng;

/**
 * serve on Hugging Face directories over plain HTTP: a tiny LLaVA (SigLIP + Qwen2) answers a
 * conversation with images at their messages as its HfSession answers it greedily, streamed or not;
 * a text-only Qwen2 answers text and refuses images.
 */
class HfServeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static Path llavaDir, qwenDir;
    static OpenAiServer llava, qwen;
    static byte[] first, second;

    @BeforeAll
    static void start() throws Exception {
        llavaDir = TinyLlavaModels.siglip(tmp.resolve("tiny-llava"));
        qwenDir = TinyHfModels.qwen2Chatml(tmp.resolve("tiny-qwen"));
        first = Files.readAllBytes(TinyLlavaModels.png(tmp.resolve("a.png"), 40, 30, 1));
        second = Files.readAllBytes(TinyLlavaModels.png(tmp.resolve("b.png"), 24, 48, 2));
        ServeSettings settings = ServeSettings.defaults("127.0.0.1", 0).withLimits(1 << 20, 1 << 20, 40, 8, 4);
        llava = new OpenAiServer(HfSession.open(llavaDir), "tiny-llava", settings).start();
        qwen = new OpenAiServer(HfSession.open(qwenDir), "tiny-qwen", settings).start();
    }

    @AfterAll
    static void stop() {
        llava.close();
        qwen.close();
    }

    private static String conversation() {
        return """
                [{"role": "system", "content": "You are concise."},
                 {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "%s"}}, {"type": "text", "text": "What is this?"}]},
                 {"role": "assistant", "content": "the world"},
                 {"role": "user", "content": [{"type": "text", "text": "And this?"}, {"type": "image_url", "image_url": {"url": "%s"}}]}]"""
                .formatted(Served.dataUri(first), Served.dataUri(second));
    }

    /** The session's greedy reply to the same conversation, computed without the server. */
    private static HfSession.Reply expected(Path dir, List<Turn> turns, int maxTokens, int[] promptTokens) {
        HfSession session = HfSession.open(dir);
        HfSession.Prompt prompt = session.prompt(turns);
        promptTokens[0] = prompt.ids().length;
        return session.generate(prompt, new HfSession.Settings(maxTokens, Sampler.greedy()), new Rng(0), text -> {});
    }

    private static List<Turn> llavaTurns() {
        return List.of(Turn.system("You are concise."), Turn.user("What is this?", List.of(new ImageSource.EncodedImage("a", first))),
                Turn.assistant("the world"), new Turn(Turn.Role.USER, "And this?", List.of(new ImageSource.EncodedImage("b", second)), List.of(9)));
    }

    @Test
    void aConversationWithImagesIsAnsweredAsTheSessionAnswersIt() throws Exception {
        HttpResponse<String> response = Served.post(llava, "{\"model\":\"tiny-llava\",\"temperature\":0,\"max_tokens\":8,\"messages\":" + conversation() + "}", null);

        int[] promptTokens = new int[1];
        HfSession.Reply reply = expected(llavaDir, llavaTurns(), 8, promptTokens);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(reply.ids()).isNotEmpty();
        String rendered = HfSession.open(llavaDir).render(llavaTurns());
        assertThat(rendered).contains("<image>\nWhat is this?").contains("And this?<image>\n"); // each image where its part stands
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo(reply.text());
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo(reply.stop() == HfSession.Stop.EOS ? "stop" : "length");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(promptTokens[0]).isGreaterThan(32); // two images of 16 tokens each
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(reply.ids().length);
    }

    @Test
    void aStreamedAnswerIsTheSameText() throws Exception {
        HttpResponse<String> response = Served.post(llava, "{\"model\":\"tiny-llava\",\"temperature\":0,\"max_tokens\":8,\"stream\":true,\"messages\":"
                + conversation() + "}", null);

        HfSession.Reply reply = expected(llavaDir, llavaTurns(), 8, new int[1]);
        assertThat(response.statusCode()).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        List<String> events = new ArrayList<>(response.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        for (String e : events.subList(0, events.size() - 1)) text.append(JSON.readTree(e).at("/choices/0/delta/content").asText(""));
        assertThat(text.toString()).isEqualTo(reply.text());
    }

    @Test
    void modelsNamesTheDirectorysModel() throws Exception {
        JsonNode models = JSON.readTree(Served.get(llava, "/v1/models").body());
        assertThat(models.at("/data/0/id").asText()).isEqualTo("tiny-llava");
    }

    @Test
    void aTextOnlyModelAnswersTextAndRefusesImages() throws Exception {
        HttpResponse<String> text = Served.post(qwen, "{\"model\":\"tiny-qwen\",\"temperature\":0,\"max_tokens\":6,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}", null);
        HttpResponse<String> image = Served.post(qwen, Served.chat("tiny-qwen", "Hello there", Served.dataUri(first), ""), null);

        HfSession.Reply reply = expected(qwenDir, List.of(Turn.user("Hello there", List.of())), 6, new int[1]);
        assertThat(text.statusCode()).as(text.body()).isEqualTo(200);
        assertThat(JSON.readTree(text.body()).at("/choices/0/message/content").asText()).isEqualTo(reply.text());
        assertThat(image.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(image.body()).at("/error/message").asText()).contains("text-only Qwen2ForCausalLM: it cannot take images");
    }

    @Test
    void maxTokensAboveTheLimitAndAnUnknownRoleAre400() throws Exception {
        HttpResponse<String> tooMany = Served.post(qwen, "{\"model\":\"tiny-qwen\",\"max_tokens\":41,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", null);
        HttpResponse<String> role = Served.post(qwen, "{\"model\":\"tiny-qwen\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"},{\"role\":\"user\",\"content\":\"Hi\"}]}", null);

        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(tooMany.body()).at("/error/message").asText()).contains("exceeds this server's limit of 40");
        assertThat(role.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(role.body()).at("/error/message").asText()).contains("unsupported role 'tool'");
    }

    @Test
    void aFullQueueGets429AndAWaitPastTheTimeoutGets503() throws Exception {
        ServeSettings settings = ServeSettings.defaults("127.0.0.1", 0).withLimits(1 << 20, 1 << 20, 40, 8, 1);
        String hi = "{\"model\":\"tiny-qwen\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        try (OpenAiServer server = new OpenAiServer(HfSession.open(qwenDir), "tiny-qwen", settings.withTimes(java.time.Duration.ofSeconds(2),
                java.time.Duration.ofSeconds(1))).start()) {
            server.hf.pause(true);
            var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> Served.post(server, hi, null));
            while (server.hf.queued() < 1) {
                assertThat(waiting).as("the first request waits in the queue while the runner is paused").isNotDone();
                Thread.sleep(5);
            }
            HttpResponse<String> full = Served.post(server, hi, null);
            HttpResponse<String> late = waiting.get();

            assertThat(full.statusCode()).isEqualTo(429);
            assertThat(JSON.readTree(full.body()).at("/error/code").asText()).isEqualTo("queue_full");
            assertThat(late.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(late.body()).at("/error/code").asText()).isEqualTo("timeout");
            server.hf.pause(false);
            HttpResponse<String> after = Served.post(server, hi, null);
            assertThat(after.statusCode()).as(after.body()).isEqualTo(200); // the timed-out request was cancelled, not run
        }
    }
}
