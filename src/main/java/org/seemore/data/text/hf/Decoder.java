package org.seemore.data.text.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code tokenizer.json} decoder: turns the token strings of some ids back into text, as a chain of
 * steps over the list of tokens (the tokenizers library's {@code decode_chain}); the final strings are
 * concatenated. GPT-2, Llama 3 and Qwen2 use {@code ByteLevel}; Llama 2
 * {@code Sequence[Replace("▁", " "), ByteFallback, Fuse, Strip(" ", 1, 0)]}.
 */
@FunctionalInterface
interface Decoder {
    List<String> TYPES = List.of("ByteLevel", "Sequence", "Replace", "ByteFallback", "Fuse", "Strip", "Metaspace");

    List<String> decode(List<String> tokens);

    static Decoder parse(JsonNode node, Spec spec) {
        if (node == null || node.isNull()) return null;
        String type = spec.type(node, "decoder", TYPES);
        String component = "decoder " + type;
        return switch (type) {
            case "Sequence" -> {
                List<Decoder> steps = new ArrayList<>();
                for (JsonNode step : spec.array(node, "decoders", component)) steps.add(parse(step, spec));
                yield tokens -> {
                    for (Decoder step : steps) tokens = step.decode(tokens);
                    return tokens;
                };
            }
            case "ByteLevel" -> byteLevel();
            case "Replace" -> {
                TextPattern pattern = spec.pattern(node, component);
                String content = spec.text(node, "content", component);
                yield tokens -> tokens.stream().map(token -> pattern.replaceAll(token, content)).toList();
            }
            case "ByteFallback" -> Decoder::byteFallback;
            case "Fuse" -> tokens -> List.of(String.join("", tokens));
            case "Strip" -> {
                int content = spec.character(node, "content", component);
                int start = spec.integer(node, "start", component);
                int stop = spec.integer(node, "stop", component);
                yield tokens -> tokens.stream().map(token -> strip(token, content, start, stop)).toList();
            }
            case "Metaspace" -> {
                int replacement = spec.character(node, "replacement", component);
                String scheme = spec.optionalText(node, "prepend_scheme", component);
                boolean prefixed = scheme == null ? spec.bool(node, "add_prefix_space", true, component) : !scheme.equals("never");
                yield tokens -> metaspace(tokens, replacement, prefixed);
            }
            default -> throw new IllegalStateException(type);
        };
    }

    /** GPT-2's decoder: all tokens' bytes joined and read as UTF-8; malformed bytes become U+FFFD. */
    static Decoder byteLevel() {
        return Decoder::joinBytes;
    }

    private static List<String> joinBytes(List<String> tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String token : tokens) ByteLevel.appendBytes(token, bytes);
        return List.of(bytes.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs of {@code <0xNN>} tokens become the text their bytes spell; a run that is not valid UTF-8 becomes
     * one U+FFFD per byte, as the tokenizers library does.
     */
    private static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (String token : tokens) {
            int b = byteOf(token);
            if (b >= 0) {
                pending.write(b);
                continue;
            }
            flushBytes(pending, out);
            out.add(token);
        }
        flushBytes(pending, out);
        return out;
    }

    private static int byteOf(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') return -1;
        int high = Character.digit(token.charAt(3), 16);
        int low = Character.digit(token.charAt(4), 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    private static void flushBytes(ByteArrayOutputStream pending, List<String> out) {
        if (pending.size() == 0) return;
        byte[] bytes = pending.toByteArray();
        pending.reset();
        try {
            out.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            for (int i = 0; i < bytes.length; i++) out.add("\uFFFD");
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing {@code content} characters of one token. */
    private static String strip(String token, int content, int start, int stop) {
        int[] chars = token.codePoints().toArray();
        int from = 0;
        while (from < start && from < chars.length && chars[from] == content) from++;
        int to = chars.length;
        while (chars.length - to < stop && to > from && chars[to - 1] == content) to--;
        return new String(chars, from, to - from);
    }

    /**
     * The replacement character becomes a space, except in the first token, where the tokenizers library
     * drops every replacement character when a prefix was added (not only the leading one).
     */
    private static List<String> metaspace(List<String> tokens, int replacement, boolean prefixed) {
        List<String> out = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            StringBuilder text = new StringBuilder();
            boolean first = i == 0;
            tokens.get(i).codePoints().forEach(c -> {
                if (c != replacement) text.appendCodePoint(c);
                else if (!(first && prefixed)) text.append(' ');
            });
            out.add(text.toString());
        }
        return out;
    }
}
