package org.seemore.data.text.hf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The added tokens of a {@code tokenizer.json} ({@code <|endoftext|>}, {@code <s>}, {@code <|im_start|>}, ...)
 * and how text is cut around them before normalization, as the tokenizers library's
 * {@code AddedVocabulary::extract_and_normalize} does: tokens with {@code normalized: false} are found in
 * the raw text first, then every other piece is normalized and searched for the {@code normalized: true}
 * tokens (in their normalized spelling). Matching is leftmost-longest; {@code single_word},
 * {@code lstrip} and {@code rstrip} are honoured.
 */
final class AddedVocabulary {

    /** One entry of {@code added_tokens}. */
    record AddedToken(int id, String content, boolean special, boolean normalized, boolean lstrip, boolean rstrip, boolean singleWord) {}

    /** A piece of input: an added token's id, or normalized text (with whether it starts the input) for the pre-tokenizer. */
    record Segment(int addedId, String text, boolean atStart) {}

    private final Map<Integer, AddedToken> byId = new HashMap<>();
    private final Map<String, Integer> byContent = new HashMap<>();
    private final Matcher raw;
    private final Matcher normalizedMatcher;

    AddedVocabulary(List<AddedToken> tokens, Normalizer normalizer) {
        List<AddedToken> rawTokens = new ArrayList<>();
        List<AddedToken> normalizedTokens = new ArrayList<>();
        List<String> normalizedContents = new ArrayList<>();
        for (AddedToken token : tokens) {
            byId.put(token.id(), token);
            byContent.put(token.content(), token.id());
            if (token.content().isEmpty()) continue;
            if (token.normalized()) {
                normalizedTokens.add(token);
                normalizedContents.add(normalizer.normalize(token.content()));
            } else {
                rawTokens.add(token);
            }
        }
        raw = new Matcher(rawTokens, rawTokens.stream().map(AddedToken::content).toList());
        normalizedMatcher = new Matcher(normalizedTokens, normalizedContents);
    }

    AddedToken get(int id) {
        return byId.get(id);
    }

    Integer id(String content) {
        return byContent.get(content);
    }

    int maxId() {
        return byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
    }

    boolean isSpecial(int id) {
        AddedToken token = byId.get(id);
        return token != null && token.special();
    }

    /** The input cut into added tokens and normalized text pieces, in order; empty pieces are dropped. */
    List<Segment> split(String text, Normalizer normalizer) {
        List<Segment> segments = new ArrayList<>();
        int previous = 0;
        for (int[] match : raw.find(text)) {
            normalizedPieces(text.substring(previous, match[0]), previous == 0, normalizer, segments);
            segments.add(new Segment(match[2], null, false));
            previous = match[1];
        }
        normalizedPieces(text.substring(previous), previous == 0, normalizer, segments);
        return segments;
    }

    private void normalizedPieces(String piece, boolean atStart, Normalizer normalizer, List<Segment> segments) {
        if (piece.isEmpty()) return;
        String normalized = normalizer.normalize(piece);
        int previous = 0;
        for (int[] match : normalizedMatcher.find(normalized)) {
            if (match[0] > previous) segments.add(new Segment(-1, normalized.substring(previous, match[0]), atStart && previous == 0));
            segments.add(new Segment(match[2], null, false));
            previous = match[1];
        }
        if (previous < normalized.length()) segments.add(new Segment(-1, normalized.substring(previous), atStart && previous == 0));
    }

    /** Leftmost-longest search for a set of token spellings (what the tokenizers library asks of Aho-Corasick). */
    private static final class Matcher {
        private final Map<Character, List<Integer>> byFirstChar = new HashMap<>();
        private final List<AddedToken> tokens;
        private final List<String> patterns;

        Matcher(List<AddedToken> tokens, List<String> patterns) {
            this.tokens = tokens;
            this.patterns = patterns;
            for (int i = 0; i < patterns.size(); i++) {
                if (patterns.get(i).isEmpty()) continue;
                byFirstChar.computeIfAbsent(patterns.get(i).charAt(0), c -> new ArrayList<>()).add(i);
            }
            byFirstChar.values().forEach(list -> list.sort(Comparator.comparingInt((Integer i) -> patterns.get(i).length()).reversed()));
        }

        /**
         * The matches as {@code {start, end, id}}, left to right, not overlapping. A {@code single_word} token
         * touching a word character is skipped (the search goes on after it); {@code lstrip} and
         * {@code rstrip} widen a match over the whitespace beside it.
         */
        List<int[]> find(String text) {
            List<int[]> matches = new ArrayList<>();
            if (byFirstChar.isEmpty()) return matches;
            int previousEnd = 0;
            int i = 0;
            while (i < text.length()) {
                List<Integer> candidates = byFirstChar.get(text.charAt(i));
                int found = -1;
                if (candidates != null) {
                    for (int candidate : candidates) {
                        if (text.startsWith(patterns.get(candidate), i)) {
                            found = candidate;
                            break;
                        }
                    }
                }
                if (found < 0) {
                    i++;
                    continue;
                }
                AddedToken token = tokens.get(found);
                int start = i;
                int end = i + patterns.get(found).length();
                i = end;
                if (token.singleWord()) {
                    boolean wordBefore = start > 0 && Unicode.isWordChar(text.codePointBefore(start));
                    boolean wordAfter = end < text.length() && Unicode.isWordChar(text.codePointAt(end));
                    if (wordBefore || wordAfter) continue;
                }
                if (token.lstrip()) {
                    while (start > previousEnd && Unicode.isWhiteSpace(text.codePointBefore(start))) start -= Character.charCount(text.codePointBefore(start));
                }
                if (token.rstrip()) {
                    while (end < text.length() && Unicode.isWhiteSpace(text.codePointAt(end))) end += Character.charCount(text.codePointAt(end));
                    i = end;
                }
                matches.add(new int[] {start, end, token.id()});
                previousEnd = end;
            }
            return matches;
        }
    }
}
