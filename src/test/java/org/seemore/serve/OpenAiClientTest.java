package org.seemore.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK talks to the server: a plain and a streamed completion give seemore's caption. */
class OpenAiClientTest {
    private static OpenAiServer server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = Served.start(ServeSettings.defaults("127.0.0.1", 0).withApiKey("sk-test"));
        client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey("sk-test").build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static ChatCompletionCreateParams.Builder params(byte[] png, String prompt) {
        return ChatCompletionCreateParams.builder().model(Served.MODEL).maxCompletionTokens(24).temperature(0.0)
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(prompt).build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(Served.dataUri(png)).build()).build())));
    }

    @Test
    void aCompletionIsTheCaptionOfTheImage() {
        byte[] png = Served.png(1);
        ChatCompletion completion = client.chat().completions().create(params(png, "ab").build());
        completion.validate();
        String expected = Served.caption(png, "ab", 24);
        assertThat(completion.choices().get(0).message().content()).contains(expected);
        assertThat(completion.choices().get(0).finishReason().asString()).isIn("stop", "length");
        assertThat(completion.model()).isEqualTo(Served.MODEL);
        var usage = completion.usage().orElseThrow();
        assertThat(usage.completionTokens()).isBetween((long) expected.length(), 24L); // special tokens decode to nothing
        assertThat(usage.promptTokens()).isEqualTo(Served.VLM.config().numVisualTokens() + 3); // <bos> a b
    }

    @Test
    void aStreamedCompletionArrivesChunkByChunkAndEndsWithUsage() {
        byte[] png = Served.png(2);
        StringBuilder text = new StringBuilder();
        int chunks = 0;
        Long completionTokens = null;
        String finish = null;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                params(png, "").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                chunks++;
                if (!chunk.choices().isEmpty()) {
                    chunk.choices().get(0).delta().content().ifPresent(text::append);
                    if (chunk.choices().get(0).finishReason().isPresent()) finish = chunk.choices().get(0).finishReason().get().asString();
                }
                if (chunk.usage().isPresent()) completionTokens = chunk.usage().get().completionTokens();
            }
        }
        String expected = Served.caption(png, "", 24);
        assertThat(text.toString()).isEqualTo(expected);
        assertThat(chunks).isGreaterThanOrEqualTo(expected.length() + 1);
        assertThat(finish).isIn("stop", "length");
        assertThat(completionTokens).isBetween((long) expected.length(), 24L);
    }
}
