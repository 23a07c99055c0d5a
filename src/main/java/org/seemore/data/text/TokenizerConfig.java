package org.seemore.data.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.seemore.UserException;

/**
 * What a Hugging Face model directory's {@code tokenizer_config.json} (and, for the special tokens it lacks,
 * {@code special_tokens_map.json}) says around the tokenizer itself. Every field is null (or empty) when the
 * files do not say.
 *
 * @param specialTokens the special tokens by role, as transformers' {@code special_tokens_map} gives them to a
 *     chat template: {@code bos_token}, {@code eos_token}, {@code unk_token}, {@code sep_token},
 *     {@code pad_token}, {@code cls_token}, {@code mask_token} (strings) and {@code additional_special_tokens}
 *     (a list of strings)
 * @param addBosToken {@code add_bos_token}
 * @param addEosToken {@code add_eos_token}
 * @param cleanUpTokenizationSpaces {@code clean_up_tokenization_spaces}: decoding removes the space before
 *     punctuation and contractions ({@code " ."}, {@code " n't"}) as transformers does
 * @param legacy {@code legacy} (Llama's SentencePiece handling of text after a special token)
 * @param addPrefixSpace {@code add_prefix_space}
 * @param spacesBetweenSpecialTokens {@code spaces_between_special_tokens} (slow tokenizers' decoding)
 * @param tokenizerClass {@code tokenizer_class}
 * @param chatTemplate {@code chat_template} (the one named "default" when the file holds several)
 * @param addedTokens {@code added_tokens_decoder}: id to token content and whether it is special
 */
public record TokenizerConfig(Map<String, Object> specialTokens, Boolean addBosToken, Boolean addEosToken,
                              boolean cleanUpTokenizationSpaces, Boolean legacy, Boolean addPrefixSpace,
                              Boolean spacesBetweenSpecialTokens, String tokenizerClass,
                              String chatTemplate, Map<Integer, AddedToken> addedTokens) {

    public static final String FILE = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";
    private static final List<String> ROLES = List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** An entry of {@code added_tokens_decoder}. */
    public record AddedToken(String content, boolean special) {}

    public TokenizerConfig {
        specialTokens = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
        addedTokens = java.util.Collections.unmodifiableMap(new TreeMap<>(addedTokens));
    }

    /** A special token's text by role ({@code "bos_token"}), or null. */
    public String specialToken(String role) {
        return specialTokens.get(role) instanceof String text ? text : null;
    }

    /** The configuration of a model directory; missing files give an empty one, malformed files a {@link UserException}. */
    public static TokenizerConfig read(Path dir) {
        JsonNode config = readJson(dir.resolve(FILE));
        JsonNode map = readJson(dir.resolve(SPECIAL_TOKENS_FILE));
        Path configFile = dir.resolve(FILE);
        Map<String, Object> special = new LinkedHashMap<>();
        for (String role : ROLES) {
            String token = tokenText(config.get(role), configFile, role);
            if (token == null) token = tokenText(map.get(role), dir.resolve(SPECIAL_TOKENS_FILE), role);
            if (token != null) special.put(role, token);
        }
        JsonNode additional = config.has("additional_special_tokens") ? config.get("additional_special_tokens") : map.get("additional_special_tokens");
        if (additional != null && additional.isArray()) {
            List<String> tokens = new ArrayList<>();
            for (JsonNode token : additional) {
                String text = tokenText(token, configFile, "additional_special_tokens");
                if (text != null) tokens.add(text);
            }
            special.put("additional_special_tokens", tokens);
        }
        Map<Integer, AddedToken> added = new TreeMap<>();
        config.path("added_tokens_decoder").properties().forEach(entry -> {
            JsonNode content = entry.getValue().get("content");
            int id;
            try {
                id = Integer.parseInt(entry.getKey());
            } catch (NumberFormatException e) {
                throw new UserException(configFile + ": added_tokens_decoder key \"" + entry.getKey() + "\" is not a token id");
            }
            if (content == null || !content.isTextual()) throw new UserException(configFile + ": added_tokens_decoder entry " + id + " has no \"content\" string");
            added.put(id, new AddedToken(content.textValue(), entry.getValue().path("special").asBoolean(false)));
        });
        return new TokenizerConfig(special, bool(config, "add_bos_token"), bool(config, "add_eos_token"),
                config.path("clean_up_tokenization_spaces").asBoolean(false), bool(config, "legacy"),
                bool(config, "add_prefix_space"), bool(config, "spaces_between_special_tokens"),
                config.path("tokenizer_class").isTextual() ? config.get("tokenizer_class").textValue() : null,
                chatTemplate(config.get("chat_template"), configFile), added);
    }

    /** A token given as a string, as an {@code AddedToken} object with {@code content}, or null. */
    private static String tokenText(JsonNode node, Path file, String role) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.textValue();
        if (node.isObject() && node.path("content").isTextual()) return node.get("content").textValue();
        throw new UserException(file + ": " + role + " is " + node + ", neither a string nor an object with \"content\"");
    }

    private static Boolean bool(JsonNode config, String field) {
        JsonNode value = config.get(field);
        return value != null && value.isBoolean() ? value.booleanValue() : null;
    }

    /** A template string, or from a list of {@code {"name", "template"}} the one named "default". */
    private static String chatTemplate(JsonNode node, Path file) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.textValue();
        if (node.isArray()) {
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) return named.get("template").textValue();
            }
        }
        throw new UserException(file + ": chat_template is neither a string nor a list holding one named \"default\"");
    }

    /** The JSON object in {@code file}, or an empty object if there is no such file; malformed JSON is a {@link UserException} naming the file. */
    public static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) return JSON.createObjectNode();
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(file));
            if (node == null || !node.isObject()) throw new UserException(file + " is not a JSON object");
            return node;
        } catch (JsonProcessingException e) {
            throw new UserException(file + " is not valid JSON (line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
