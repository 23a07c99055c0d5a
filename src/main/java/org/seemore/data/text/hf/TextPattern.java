package org.seemore.data.text.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a Split pre-tokenizer or a Replace normalizer/decoder looks for: a literal string or a regex. */
record TextPattern(String literal, Pattern regex) {

    static TextPattern literal(String text) {
        return new TextPattern(text, null);
    }

    static TextPattern regex(String regex) {
        return new TextPattern(null, Spec.compile(regex));
    }

    /** Every occurrence in {@code text} as {@code [start, end)} pairs, left to right, not overlapping; empty ones are left out. */
    List<int[]> find(String text) {
        List<int[]> matches = new ArrayList<>();
        if (literal != null) {
            if (literal.isEmpty()) return matches;
            for (int at = text.indexOf(literal); at >= 0; at = text.indexOf(literal, at + literal.length())) {
                matches.add(new int[] {at, at + literal.length()});
            }
        } else {
            Matcher matcher = regex.matcher(text);
            while (matcher.find()) {
                if (matcher.end() > matcher.start()) matches.add(new int[] {matcher.start(), matcher.end()});
            }
        }
        return matches;
    }

    /** {@code text} with every occurrence replaced by {@code content} (taken literally, never as a regex group reference). */
    String replaceAll(String text, String content) {
        if (literal != null) return literal.isEmpty() ? text : text.replace(literal, content);
        return regex.matcher(text).replaceAll(Matcher.quoteReplacement(content));
    }
}
