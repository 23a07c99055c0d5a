package org.seemore.data.text.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.data.text.HfFixtures;
import org.seemore.parity.ParityReport;
import org.seemore.parity.hf.ChatTemplateFolderParity;
import org.seemore.parity.hf.Folder;

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
    void everyCaseRendersAndTokenizesAsTransformers() {
        // the check seemore parity runs on the folder: ids through sp-tokenizer's tokenizer.model and its tokenizer.json
        ParityReport report = new ChatTemplateFolderParity().run(Folder.at(DIR));
        report.lines().forEach(System.out::println);
        assertThat(CASES).hasSize(34);
        assertThat(CASES.stream().filter(c -> c.has("error")).count()).isEqualTo(2);
        assertThat(report.checks()).extracting(ParityReport.Check::name)
                .containsExactly("rendered or error (34 cases)", "ids (32 cases)", "tokenizer.json ids (32 cases)");
        for (ParityReport.Check c : report.checks()) assertThat(c.passed()).as(c.line()).isTrue();
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
