package org.seemore.data.text.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.seemore.UserException;
import org.seemore.data.text.TokenizerConfig;

/**
 * A Hugging Face chat template: the Jinja program in a model's {@code tokenizer_config.json}
 * ({@code chat_template}) that turns a conversation into the prompt text the model was trained on,
 * rendered as transformers' {@code apply_chat_template(..., tokenize=False)} renders it (see
 * {@link JinjaEngine} for the Jinja setup). The template sees {@code messages}, {@code tools} and
 * {@code documents} (none unless given), {@code add_generation_prompt} and the special tokens
 * ({@code bos_token}, {@code eos_token}, ...).
 *
 * <p>Messages are maps as in transformers: {@code {"role": "user", "content": "Hi"}}, where content may
 * also be a list of parts ({@code {"type": "image"}}, {@code {"type": "text", "text": "..."}}) for
 * templates that take them.
 */
public final class ChatTemplate {
    public static final String JINJA_FILE = "chat_template.jinja";
    public static final String JSON_FILE = "chat_template.json";

    private final String source;
    private final TemplateSource program;
    private final String origin;
    private final Map<String, Object> specialTokens;
    private final Clock clock;

    /**
     * How to render.
     *
     * @param addGenerationPrompt end with the start of an assistant turn, for the model to continue
     * @param continueFinalMessage end inside the final message instead of closing it, for the model to
     *     continue it (transformers cuts the rendering after the final message's text)
     * @param variables further template variables ({@code tools}, {@code documents}, {@code date_string}, ...)
     */
    public record Options(boolean addGenerationPrompt, boolean continueFinalMessage, Map<String, ?> variables) {
        public Options {
            if (addGenerationPrompt && continueFinalMessage) {
                throw new IllegalArgumentException("addGenerationPrompt and continueFinalMessage cannot both be set: one opens a new turn, the other continues the last");
            }
            variables = variables == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        }

        public static Options generationPrompt(boolean add) {
            return new Options(add, false, Map.of());
        }
    }

    private ChatTemplate(String source, String origin, Map<String, ?> specialTokens, Clock clock) {
        this.source = source;
        this.program = TemplateSource.of(source);
        this.origin = origin;
        for (String filter : program.filters) {
            if (JinjaEngine.JINJAVA.getGlobalContext().getFilter(filter) == null) {
                throw new UserException(origin + " uses the filter \"" + filter + "\", which this Jinja engine does not have");
            }
        }
        this.specialTokens = new LinkedHashMap<>(specialTokens);
        this.clock = clock;
    }

    /** A template from its source text; {@code specialTokens} are the variables such as {@code bos_token}. */
    public static ChatTemplate of(String source, Map<String, ?> specialTokens) {
        return new ChatTemplate(source, "chat template", specialTokens, Clock.systemDefaultZone());
    }

    /**
     * The chat template of a model directory, if it has one: {@code chat_template.jinja}, else
     * {@code chat_template.json} (processors such as LLaVA's), else {@code tokenizer_config.json}'s
     * {@code chat_template}; the special tokens come from {@code tokenizer_config.json}.
     */
    public static Optional<ChatTemplate> load(Path dir) {
        TokenizerConfig config = TokenizerConfig.read(dir);
        Path jinja = dir.resolve(JINJA_FILE);
        Path json = dir.resolve(JSON_FILE);
        Path configFile = dir.resolve(TokenizerConfig.FILE);
        String source;
        Path from;
        if (Files.isRegularFile(jinja)) {
            try {
                source = Files.readString(jinja);
            } catch (IOException e) {
                throw new UserException("cannot read " + jinja + ": " + e.getMessage(), e);
            }
            from = jinja;
        } else if (Files.isRegularFile(json)) {
            JsonNode node = TokenizerConfig.readJson(json).get("chat_template");
            if (node == null || !node.isTextual()) throw new UserException(json + " has no \"chat_template\" string");
            source = node.textValue();
            from = json;
        } else if (config.chatTemplate() != null) {
            source = config.chatTemplate();
            from = configFile;
        } else {
            return Optional.empty();
        }
        return Optional.of(new ChatTemplate(source, "chat template of " + from, config.specialTokens(), Clock.systemDefaultZone()));
    }

    /** The same template with {@code strftime_now} reading {@code clock}. */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(source, origin, specialTokens, clock);
    }

    /** The template's Jinja source, as written. */
    public String source() {
        return source;
    }

    /** The prompt text of {@code messages}, with the start of an assistant turn if {@code addGenerationPrompt}. */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        return render(messages, Options.generationPrompt(addGenerationPrompt));
    }

    /**
     * The prompt text of {@code messages}.
     *
     * @throws ChatTemplateException when the template calls {@code raise_exception} (a conversation it does not accept)
     * @throws UserException when the template itself fails (a syntax error, an unknown filter or function)
     */
    public String render(List<? extends Map<String, ?>> messages, Options options) {
        Map<String, Object> variables = new HashMap<>(specialTokens);
        variables.put("messages", messages);
        variables.put("tools", null);
        variables.put("documents", null);
        variables.put("add_generation_prompt", options.addGenerationPrompt());
        variables.putAll(options.variables());
        variables.put(JinjaEngine.NOW, ZonedDateTime.now(clock));
        RenderResult result = JinjaEngine.JINJAVA.renderForResult(program.program, variables);
        for (TemplateError error : result.getErrors()) {
            for (Throwable cause = error.getException(); cause != null; cause = cause.getCause()) {
                if (cause instanceof JinjaEngine.Raised raised) throw new ChatTemplateException(raised.getMessage());
            }
        }
        for (TemplateError error : result.getErrors()) {
            // Jinjava reports some template mistakes (an end tag without a start) as warnings; Jinja2 refuses them.
            if (error.getSeverity() == TemplateError.ErrorType.FATAL || error.getReason() == TemplateError.ErrorReason.SYNTAX_ERROR) {
                throw new UserException(origin + " failed at line " + error.getLineno() + ": " + error.getMessage());
            }
        }
        String rendered = result.getOutput();
        return options.continueFinalMessage() ? continueFinal(rendered, messages) : rendered;
    }

    /**
     * transformers' {@code continue_final_message}: the rendering up to the end of the last occurrence of the
     * final message's text, without trailing whitespace.
     */
    private static String continueFinal(String rendered, List<? extends Map<String, ?>> messages) {
        if (messages.isEmpty()) throw new IllegalArgumentException("continueFinalMessage needs a final message");
        if (!(messages.getLast().get("content") instanceof String content)) {
            throw new IllegalArgumentException("continueFinalMessage needs the final message's content as a string");
        }
        int at = rendered.lastIndexOf(content);
        if (at < 0) {
            throw new UserException("the chat template changed the final message's text, so it cannot be continued (its content does not appear verbatim in the prompt)");
        }
        return PythonStrings.strip(rendered.substring(0, at + content.length()), null, false, true);
    }

    @Override
    public String toString() {
        return "ChatTemplate(" + origin + ")";
    }
}
