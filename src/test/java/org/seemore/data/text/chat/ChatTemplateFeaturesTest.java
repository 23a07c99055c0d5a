package org.seemore.data.text.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.text.HfFixtures;

/**
 * The Jinja features real chat templates use beyond the three fixture templates (Llama 3.x, Qwen2.5,
 * SmolLM2 templates use {@code {{-}}, {@code tojson}, {@code namespace}, str methods, loop controls and
 * {@code strftime_now}), against what Jinja2 renders when set up as transformers sets it up
 * ({@code fixtures/jinja2-chat-features.json}, made with Jinja2 3.1.6; its "about" says how).
 */
class ChatTemplateFeaturesTest {
    static final Clock JULY_23 = Clock.fixed(Instant.parse("2024-07-23T09:05:00Z"), ZoneOffset.UTC);

    @Test
    void everyFeatureRendersAsJinja2Does() throws Exception {
        JsonNode root = HfFixtures.JSON.readTree(ChatTemplateFeaturesTest.class.getResource("/fixtures/jinja2-chat-features.json"));
        List<Map<String, Object>> messages = HfFixtures.JSON.convertValue(root.get("messages"), new TypeReference<>() {});
        List<String> failures = new ArrayList<>();
        assertThat(root.get("cases")).hasSize(11);
        for (JsonNode c : root.get("cases")) {
            String rendered = ChatTemplate.of(c.get("template").textValue(), Map.of("bos_token", "<s>")).withClock(JULY_23).render(messages, true);
            if (!rendered.equals(c.get("rendered").textValue())) failures.add(c.get("name").textValue() + ": " + HfFixtures.JSON.writeValueAsString(rendered));
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void raiseExceptionGivesItsMessage() {
        ChatTemplate template = ChatTemplate.of("{% if messages | length == 0 %}{{ raise_exception('No messages!') }}{% endif %}ok", Map.of());
        assertThatThrownBy(() -> template.render(List.of(), false)).isInstanceOf(ChatTemplateException.class).hasMessage("No messages!");
        assertThat(template.render(List.of(Map.of("role", "user", "content", "x")), false)).isEqualTo("ok");
    }

    @Test
    void brokenTemplatesAreOneLineErrors() {
        assertThatThrownBy(() -> ChatTemplate.of("{{ messages | no_such_filter }}", Map.of()))
                .isInstanceOf(UserException.class).hasMessage("chat template uses the filter \"no_such_filter\", which this Jinja engine does not have");
        for (String source : List.of("{% if messages %}unclosed", "{{ no_such_function(1) }}", "{% endif %}", "{{ 1 + }}")) {
            assertThatThrownBy(() -> ChatTemplate.of(source, Map.of()).render(List.of(Map.of("role", "user", "content", "x")), false))
                    .as(source).isInstanceOf(UserException.class).isNotInstanceOf(ChatTemplateException.class)
                    .hasMessageStartingWith("chat template failed at line 1: ").hasMessageNotContaining("\n");
        }
    }

    @Test
    void continueFinalMessageCutsAfterTheFinalText() {
        ChatTemplate chatml = ChatTemplate.of("{% for m in messages %}<|{{ m.role }}|>{{ m.content }}<|end|>\n{% endfor %}", Map.of());
        List<Map<String, Object>> messages = List.of(Map.of("role", "user", "content", "Say hi"), Map.of("role", "assistant", "content", "Hi "));
        assertThat(chatml.render(messages, new ChatTemplate.Options(false, true, Map.of()))).isEqualTo("<|user|>Say hi<|end|>\n<|assistant|>Hi");
        assertThatThrownBy(() -> new ChatTemplate.Options(true, true, Map.of())).isInstanceOf(IllegalArgumentException.class);
        ChatTemplate stripping = ChatTemplate.of("{% for m in messages %}[{{ m.content.strip() }}]{% endfor %}", Map.of());
        assertThatThrownBy(() -> stripping.render(List.of(Map.of("role", "user", "content", " padded\n")), new ChatTemplate.Options(false, true, Map.of())))
                .isInstanceOf(UserException.class).hasMessageContaining("cannot be continued");
    }

    @Test
    void variablesReachTheTemplate() {
        ChatTemplate template = ChatTemplate.of("{% if tools %}{{ tools | tojson }}{% else %}none{% endif %}", Map.of());
        assertThat(template.render(List.of(), false)).isEqualTo("none");
        assertThat(template.render(List.of(), new ChatTemplate.Options(false, false, Map.of("tools", List.of(Map.of("name", "f")))))).isEqualTo("[{\"name\": \"f\"}]");
    }

    @Test
    void directoryTemplatesArePickedInOrder(@TempDir Path dir) throws Exception {
        assertThat(ChatTemplate.load(dir)).isEmpty();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"config {{ bos_token }}\", \"bos_token\": {\"content\": \"<s>\"}}");
        assertThat(ChatTemplate.load(dir).orElseThrow().render(List.of(), false)).isEqualTo("config <s>");
        Files.writeString(dir.resolve("chat_template.json"), "{\"chat_template\": \"json\"}");
        assertThat(ChatTemplate.load(dir).orElseThrow().render(List.of(), false)).isEqualTo("json");
        Files.writeString(dir.resolve("chat_template.jinja"), "jinja {{ bos_token }}\n");
        assertThat(ChatTemplate.load(dir).orElseThrow().render(List.of(), false)).isEqualTo("jinja <s>");
    }

    @Test
    void namedTemplatesPickTheDefault(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"tools\"}, {\"name\": \"default\", \"template\": \"plain\"}]}");
        assertThat(ChatTemplate.load(dir).orElseThrow().render(List.of(), false)).isEqualTo("plain");
    }

    @Test
    void sourceRewriteLeavesTextAndStringsAlone() {
        assertThat(TemplateSource.rewrite("not a word {# not x in y #} {{ 'not x in y' }} {{- not a in b -}}"))
                .isEqualTo("not a word  {{ 'not x in y' }}{{ not (a in b) }}");
        assertThat(TemplateSource.rewriteCode(" if not a == b and not (c or d) ")).isEqualTo(" if not (a == b) and not ((c or d)) ");
        assertThat(TemplateSource.rewriteCode(" x is not none and y not in z ")).isEqualTo(" x is not none and y not in z ");
        assertThat(TemplateSource.rewriteCode(" for m in messages[::-1] ")).isEqualTo(" for m in messages|reverse|list ");
    }
}
