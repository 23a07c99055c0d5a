package org.seemore.data.text.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A {@code tokenizer.json} pre-tokenizer: splits normalized text into the words that BPE sees one at a time.
 * GPT-2 uses {@code ByteLevel} with its regex; Llama 3 and Qwen2 a {@code Sequence} of a {@code Split} on
 * their own regex and {@code ByteLevel} without one; SmolLM2 {@code Digits} then {@code ByteLevel}.
 */
@FunctionalInterface
interface PreTokenizer {
    List<String> TYPES = List.of("ByteLevel", "Split", "Sequence", "Metaspace", "Digits", "Whitespace",
            "WhitespaceSplit", "Punctuation");

    /**
     * A word: its text and whether it starts at the very beginning of the input (Metaspace's
     * {@code prepend_scheme: "first"} prepends only there).
     */
    record Piece(String text, boolean atStart) {}

    List<Piece> split(List<Piece> pieces);

    /** How a split treats the text a pattern matched (the tokenizers library's {@code SplitDelimiterBehavior}). */
    enum Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

    static PreTokenizer parse(JsonNode node, Spec spec) {
        if (node == null || node.isNull()) return pieces -> pieces;
        String type = spec.type(node, "pre_tokenizer", TYPES);
        String component = "pre_tokenizer " + type;
        return switch (type) {
            case "Sequence" -> {
                List<PreTokenizer> steps = new ArrayList<>();
                for (JsonNode step : spec.array(node, "pretokenizers", component)) steps.add(parse(step, spec));
                yield pieces -> {
                    for (PreTokenizer step : steps) pieces = step.split(pieces);
                    return pieces;
                };
            }
            case "ByteLevel" -> byteLevel(spec.bool(node, "add_prefix_space", true, component), spec.bool(node, "use_regex", true, component));
            case "Split" -> {
                TextPattern pattern = spec.pattern(node, component);
                Behavior behavior = behavior(node, spec, component);
                boolean invert = spec.bool(node, "invert", false, component);
                yield each(piece -> split(piece, flags(piece.text(), pattern.find(piece.text()), invert), behavior));
            }
            case "Metaspace" -> metaspace(node, spec, component);
            case "Digits" -> {
                boolean individual = spec.bool(node, "individual_digits", false, component);
                yield each(piece -> split(piece, charFlags(piece.text(), Unicode::isNumeric), individual ? Behavior.Isolated : Behavior.Contiguous));
            }
            case "Whitespace" -> {
                // \w+|[^\w\s]+ kept, everything else (whitespace) dropped.
                TextPattern words = TextPattern.regex("\\w+|[^\\w\\s]+");
                yield each(piece -> split(piece, flags(piece.text(), words.find(piece.text()), true), Behavior.Removed));
            }
            case "WhitespaceSplit" -> each(piece -> split(piece, charFlags(piece.text(), Unicode::isWhiteSpace), Behavior.Removed));
            case "Punctuation" -> {
                Behavior behavior = node.has("behavior") ? behavior(node, spec, component) : Behavior.Isolated;
                yield each(piece -> split(piece, charFlags(piece.text(), Unicode::isPunctuation), behavior));
            }
            default -> throw new IllegalStateException(type);
        };
    }

    /**
     * GPT-2's byte-level step: an optional leading space, the GPT-2 regex split (if {@code useRegex}), then
     * every piece's UTF-8 bytes written in the byte-level alphabet.
     */
    static PreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
        TextPattern gpt2 = new TextPattern(null, ByteLevel.GPT2_PATTERN);
        return each(piece -> {
            Piece spaced = addPrefixSpace && !piece.text().startsWith(" ") ? new Piece(" " + piece.text(), piece.atStart()) : piece;
            List<Piece> words = useRegex ? split(spaced, flags(spaced.text(), gpt2.find(spaced.text()), false), Behavior.Isolated) : List.of(spaced);
            List<Piece> bytes = new ArrayList<>(words.size());
            for (Piece word : words) bytes.add(new Piece(ByteLevel.encode(word.text()), word.atStart()));
            return bytes;
        });
    }

    private static PreTokenizer metaspace(JsonNode node, Spec spec, String component) {
        String replacement = Character.toString(spec.character(node, "replacement", component));
        String scheme = spec.optionalText(node, "prepend_scheme", component);
        // Files older than the prepend_scheme field say add_prefix_space instead (true: "always").
        if (scheme == null) scheme = spec.bool(node, "add_prefix_space", true, component) ? "always" : "never";
        if (!List.of("always", "first", "never").contains(scheme)) throw spec.fail(component + " prepend_scheme \"" + scheme + "\" is not always, first or never");
        boolean split = spec.bool(node, "split", true, component);
        String prepend = scheme;
        TextPattern delimiter = TextPattern.literal(replacement);
        return each(piece -> {
            String text = piece.text().replace(" ", replacement);
            boolean wanted = prepend.equals("always") || (prepend.equals("first") && piece.atStart());
            if (wanted && !text.startsWith(replacement)) text = replacement + text;
            Piece replaced = new Piece(text, piece.atStart());
            return split ? split(replaced, flags(text, delimiter.find(text), false), Behavior.MergedWithNext) : List.of(replaced);
        });
    }

    private static Behavior behavior(JsonNode node, Spec spec, String component) {
        String name = spec.text(node, "behavior", component);
        try {
            return Behavior.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw spec.fail(component + " behavior \"" + name + "\" is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
        }
    }

    /** Applies {@code step} to every piece. */
    private static PreTokenizer each(java.util.function.Function<Piece, List<Piece>> step) {
        return pieces -> {
            List<Piece> out = new ArrayList<>(pieces.size() * 2);
            for (Piece piece : pieces) out.addAll(step.apply(piece));
            return out;
        };
    }

    /**
     * The text cut into consecutive {@code {start, end, isMatch}} spans that cover it, from the matches of a
     * pattern ({@code invert} swaps what counts as a match, as Split's {@code invert} does).
     */
    private static List<int[]> flags(String text, List<int[]> matches, boolean invert) {
        List<int[]> spans = new ArrayList<>(2 * matches.size() + 1);
        int previous = 0;
        for (int[] match : matches) {
            if (match[0] > previous) spans.add(new int[] {previous, match[0], invert ? 1 : 0});
            spans.add(new int[] {match[0], match[1], invert ? 0 : 1});
            previous = match[1];
        }
        if (previous < text.length()) spans.add(new int[] {previous, text.length(), invert ? 1 : 0});
        return spans;
    }

    /** Spans where every character that satisfies {@code test} is a match of its own. */
    private static List<int[]> charFlags(String text, IntPredicate test) {
        List<int[]> matches = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            if (test.test(c)) matches.add(new int[] {i, next});
            i = next;
        }
        return flags(text, matches, false);
    }

    /** Cuts a piece along {@code spans} as {@code behavior} says; empty pieces are dropped. */
    private static List<Piece> split(Piece piece, List<int[]> spans, Behavior behavior) {
        List<int[]> kept = new ArrayList<>(spans.size());
        switch (behavior) {
            case Isolated -> kept.addAll(spans);
            case Removed -> spans.stream().filter(span -> span[2] == 0).forEach(kept::add);
            case Contiguous -> {
                boolean previousMatch = false;
                for (int[] span : spans) {
                    boolean match = span[2] == 1;
                    if (match == previousMatch && !kept.isEmpty()) kept.getLast()[1] = span[1];
                    else kept.add(span.clone());
                    previousMatch = match;
                }
            }
            case MergedWithPrevious -> {
                boolean previousMatch = false;
                for (int[] span : spans) {
                    boolean match = span[2] == 1;
                    if (match && !previousMatch && !kept.isEmpty()) kept.getLast()[1] = span[1];
                    else kept.add(span.clone());
                    previousMatch = match;
                }
            }
            case MergedWithNext -> {
                boolean previousMatch = false;
                for (int i = spans.size() - 1; i >= 0; i--) {
                    int[] span = spans.get(i);
                    boolean match = span[2] == 1;
                    if (match && !previousMatch && !kept.isEmpty()) kept.getLast()[0] = span[0];
                    else kept.add(span.clone());
                    previousMatch = match;
                }
                java.util.Collections.reverse(kept);
            }
        }
        List<Piece> pieces = new ArrayList<>(kept.size());
        for (int[] span : kept) {
            if (span[1] > span[0]) pieces.add(new Piece(piece.text().substring(span[0], span[1]), piece.atStart() && span[0] == 0));
        }
        return pieces;
    }
}
