package org.seemore.data.text.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.seemore.data.text.HfFixtures.ints;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seemore.data.text.HfFixtures;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.Tokenizers;
import org.seemore.data.text.sentencepiece.SentencePieceModel;
import org.seemore.data.text.sentencepiece.SentencePieceTokenizer;
import org.seemore.data.text.TokenizerConfig;

/**
 * The 34 cases of fixtures/hf/chat-templates (Llama-2-chat, ChatML and LLaVA-1.5 templates rendered by
 * transformers 4.45.1 with Jinja2): the rendered text exactly, the ids the SentencePiece fixture tokenizer
 * gives it (through tokenizer.json and through tokenizer.model), and the message of every
 * {@code raise_exception}.
 */
class ChatTemplateFixtureTest {
    static final Path DIR = HfFixtures.dir("chat-templates");
    static final List<JsonNode> CASES = HfFixtures.lines(DIR.resolve("cases.jsonl"));

    @Test
    void everyCaseRendersAndTokenizesAsTransformers() throws Exception {
        JsonNode templates = HfFixtures.JSON.readTree(DIR.resolve("templates.json").toFile());
        Path sp = HfFixtures.dir("sp-tokenizer");
        Tokenizer fast = Tokenizers.load(sp);
        Tokenizer slow = new SentencePieceTokenizer(SentencePieceModel.read(sp.resolve("tokenizer.model")), TokenizerConfig.read(sp));
        assertThat(CASES).hasSize(34);
        List<String> failures = new ArrayList<>();
        int errors = 0;
        for (JsonNode c : CASES) {
            String name = c.get("template").textValue();
            String source = templates.get(name).get("chat_template").textValue();
            Map<String, Object> specials = HfFixtures.JSON.convertValue(c.get("special_tokens"), new TypeReference<>() {});
            List<Map<String, Object>> messages = HfFixtures.JSON.convertValue(c.get("messages"), new TypeReference<>() {});
            ChatTemplate.Options options = new ChatTemplate.Options(c.get("add_generation_prompt").booleanValue(), c.get("continue_final_message").booleanValue(), Map.of());
            String label = name + " " + c.get("messages");
            try {
                String rendered = ChatTemplate.of(source, specials).render(messages, options);
                if (c.has("error")) {
                    failures.add(label + ": rendered instead of raising " + c.get("error"));
                    continue;
                }
                if (!rendered.equals(c.get("rendered").textValue())) failures.add(label + ": rendered " + HfFixtures.JSON.writeValueAsString(rendered));
                int[] expected = ints(c.get("ids"));
                if (!Arrays.equals(fast.encode(rendered), expected)) failures.add(label + ": tokenizer.json ids " + Arrays.toString(fast.encode(rendered)));
                if (!Arrays.equals(slow.encode(rendered), expected)) failures.add(label + ": tokenizer.model ids " + Arrays.toString(slow.encode(rendered)));
            } catch (ChatTemplateException e) {
                errors++;
                if (!c.has("error") || !e.getMessage().equals(c.get("error").textValue())) failures.add(label + ": raised " + e.getMessage());
            }
        }
        assertThat(failures).isEmpty();
        assertThat(errors).isEqualTo(2);
    }

    @Test
    void templatesMatchTheirRecordedHashes() throws Exception {
        JsonNode templates = HfFixtures.JSON.readTree(DIR.resolve("templates.json").toFile());
        for (var entry : templates.properties()) {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(entry.getValue().get("chat_template").textValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(java.util.HexFormat.of().formatHex(hash)).as(entry.getKey()).isEqualTo(entry.getValue().get("sha256").textValue());
        }
    }
}
