package org.seemore.parity.hf;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seemore.UserException;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.Tokenizers;
import org.seemore.data.text.chat.ChatTemplate;
import org.seemore.data.text.chat.ChatTemplateException;
import org.seemore.data.text.hf.HfTokenizer;
import org.seemore.data.text.sentencepiece.SentencePieceTokenizer;
import org.seemore.parity.ParityReport;

/**
 * A chat-template folder ({@code templates.json} and {@code cases.jsonl}): every case rendered by
 * {@link ChatTemplate} exactly as {@code rendered}, or refused with exactly the {@code error} message,
 * and the rendered text's {@code ids} without framing (add_special_tokens=False). The ids come from the
 * folder's own tokenizer, else from {@code ../sp-tokenizer}, the tokenizer the fixtures' README says
 * encoded them: through its tokenizer.model (the slow tokenizer) and its tokenizer.json, each checked.
 */
public final class ChatTemplateFolderParity implements FolderParity {
    static final String CASES = "cases.jsonl", TEMPLATES = "templates.json", SIBLING_TOKENIZER = "../sp-tokenizer";

    @Override
    public String kind() {
        return "chat templates";
    }

    @Override
    public boolean accepts(Folder folder) {
        return folder.config().isEmpty() && folder.has(CASES) && folder.has(TEMPLATES);
    }

    @Override
    public ParityReport run(Folder folder) {
        JsonNode templates = templates(folder.path().resolve(TEMPLATES));
        CaseFile cases = CaseFile.read(folder.path().resolve(CASES));
        boolean anyIds = cases.cases().stream().anyMatch(c -> c.has("ids"));
        Map<String, Tokenizer> tokenizers = anyIds ? tokenizers(folder.path()) : Map.of();
        List<String> rendering = new ArrayList<>();
        Map<String, List<String>> ids = new LinkedHashMap<>();
        tokenizers.keySet().forEach(name -> ids.put(name, new ArrayList<>()));
        for (CaseFile.Case c : cases.cases()) {
            String name = c.text("template");
            JsonNode template = templates.get(name);
            if (template == null || !template.path("chat_template").isTextual()) throw c.error("template \"" + name + "\" is not in " + TEMPLATES);
            Map<String, Object> specials = c.has("special_tokens") ? CaseFile.JSON.convertValue(c.node("special_tokens"), new TypeReference<>() {}) : Map.of();
            List<Map<String, Object>> messages;
            try {
                messages = CaseFile.JSON.convertValue(c.node("messages"), new TypeReference<>() {});
            } catch (IllegalArgumentException e) {
                throw c.error("\"messages\" is not a list of objects");
            }
            ChatTemplate.Options options = new ChatTemplate.Options(c.has("add_generation_prompt") && c.bool("add_generation_prompt"),
                    c.has("continue_final_message") && c.bool("continue_final_message"), Map.of());
            String label = "line " + c.line() + " (" + name + ")";
            String rendered;
            try {
                rendered = ChatTemplate.of(template.get("chat_template").textValue(), specials).render(messages, options);
            } catch (ChatTemplateException e) {
                if (!c.has("error") || !e.getMessage().equals(c.text("error"))) rendering.add(label + " raised \"" + e.getMessage() + "\"");
                continue;
            } catch (UserException e) {
                rendering.add(label + " failed: " + e.getMessage());
                continue;
            }
            if (c.has("error")) {
                rendering.add(label + " rendered instead of raising \"" + c.text("error") + "\"");
                continue;
            }
            if (!rendered.equals(c.text("rendered"))) rendering.add(label + " renders " + CaseFile.JSON.valueToTree(rendered));
            if (c.has("ids")) {
                for (Map.Entry<String, Tokenizer> t : tokenizers.entrySet()) {
                    int[] got = t.getValue().encode(rendered, false);
                    if (!Arrays.equals(got, c.ints("ids"))) ids.get(t.getKey()).add(label + " gives " + Arrays.toString(got));
                }
            }
        }
        ParityReport report = new ParityReport(folder.path(), "chat templates");
        report.cases("rendered or error", cases.cases().size(), rendering);
        int withIds = (int) cases.cases().stream().filter(c -> c.has("ids")).count();
        ids.forEach((name, failures) -> report.cases(name, withIds, failures));
        return report;
    }

    private static JsonNode templates(Path file) {
        try {
            JsonNode node = CaseFile.JSON.readTree(file.toFile());
            if (!node.isObject()) throw new UserException(file + ": expected an object of templates by name");
            return node;
        } catch (IOException e) {
            throw new UserException(file + ": not JSON: " + e.getMessage(), e);
        }
    }

    /** The tokenizers of the folder, else of ../sp-tokenizer, by the name of the check: "ids" (tokenizer.model or the only one), "tokenizer.json ids". */
    private static Map<String, Tokenizer> tokenizers(Path dir) {
        for (Path candidate : List.of(dir, dir.resolve(SIBLING_TOKENIZER).normalize())) {
            Map<String, Tokenizer> found = new LinkedHashMap<>();
            boolean hfFiles = List.of(HfTokenizer.FILE, "vocab.json").stream().anyMatch(f -> Files.isRegularFile(candidate.resolve(f)));
            if (Files.isRegularFile(candidate.resolve(SentencePieceTokenizer.FILE))) {
                found.put("ids", SentencePieceTokenizer.load(candidate));
                if (hfFiles) found.put(HfTokenizer.FILE + " ids", Tokenizers.load(candidate));
            } else if (hfFiles) {
                found.put("ids", Tokenizers.load(candidate));
            }
            if (!found.isEmpty()) return found;
        }
        throw new UserException(dir.resolve(CASES) + ": the cases hold ids but there is no tokenizer in " + dir + " or " + dir.resolve(SIBLING_TOKENIZER).normalize());
    }
}
