package org.seemore.data.text.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@code tokenizer.json} normalizer: rewrites the text between added tokens before it is split into words.
 * Llama 2's file uses {@code Sequence[Prepend("▁"), Replace(" ", "▁")]}, SentencePiece's dummy prefix and
 * escaped spaces; GPT-2, Llama 3 and Qwen2 have none or NFC.
 */
@FunctionalInterface
interface Normalizer {
    List<String> TYPES = List.of("Sequence", "NFC", "NFD", "NFKC", "NFKD", "Lowercase", "Strip", "StripAccents",
            "Prepend", "Replace", "ByteLevel");

    String normalize(String text);

    /** The normalizer a {@code tokenizer.json} describes; JSON null means none (the identity). */
    static Normalizer parse(JsonNode node, Spec spec) {
        if (node == null || node.isNull()) return text -> text;
        String type = spec.type(node, "normalizer", TYPES);
        String component = "normalizer " + type;
        return switch (type) {
            case "Sequence" -> {
                List<Normalizer> steps = new ArrayList<>();
                for (JsonNode step : spec.array(node, "normalizers", component)) steps.add(parse(step, spec));
                yield text -> {
                    for (Normalizer step : steps) text = step.normalize(text);
                    return text;
                };
            }
            case "NFC" -> text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC);
            case "NFD" -> text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFD);
            case "NFKC" -> text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKC);
            case "NFKD" -> text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> text -> text.toLowerCase(Locale.ROOT);
            case "Strip" -> {
                boolean left = spec.bool(node, "strip_left", true, component);
                boolean right = spec.bool(node, "strip_right", true, component);
                yield text -> strip(text, left, right);
            }
            // Rust removes the characters that are combining marks; the text is expected to be NFD already.
            case "StripAccents" -> text -> text.codePoints()
                    .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK
                            && Character.getType(c) != Character.ENCLOSING_MARK
                            && Character.getType(c) != Character.COMBINING_SPACING_MARK)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            case "Prepend" -> {
                String prefix = spec.text(node, "prepend", component);
                // The tokenizers library prepends only to non-empty text.
                yield text -> text.isEmpty() ? text : prefix + text;
            }
            case "Replace" -> {
                TextPattern pattern = spec.pattern(node, component);
                String content = spec.text(node, "content", component);
                yield text -> pattern.replaceAll(text, content);
            }
            case "ByteLevel" -> ByteLevel::encode;
            default -> throw new IllegalStateException(type);
        };
    }

    private static String strip(String text, boolean left, boolean right) {
        int start = 0;
        int end = text.length();
        while (left && start < end && Unicode.isWhiteSpace(text.codePointAt(start))) start += Character.charCount(text.codePointAt(start));
        while (right && end > start && Unicode.isWhiteSpace(text.codePointBefore(end))) end -= Character.charCount(text.codePointBefore(end));
        return text.substring(start, end);
    }
}
