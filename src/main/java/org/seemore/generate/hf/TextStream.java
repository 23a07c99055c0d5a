package org.seemore.generate.hf;

import org.seemore.data.text.TokenIds;
import org.seemore.data.text.Tokenizer;

/**
 * Detokenizes a reply token by token for streaming. Each token's text cannot be decoded alone: a
 * byte-level BPE token may hold part of a UTF-8 character (the rest comes with the next token), and
 * SentencePiece decoders treat the first token's leading space differently. So the whole reply is
 * decoded again at each token and only what was not yet shown is given out, holding back a trailing
 * U+FFFD (an incomplete character) and trailing spaces (transformers' clean-up may still remove a
 * space before punctuation). Special tokens are left out, and ids beyond the tokenizer's vocabulary
 * (models pad their embedding matrix) have no text.
 */
public final class TextStream {
    private final Tokenizer tokenizer;
    private final TokenIds ids = new TokenIds();
    private final StringBuilder shown = new StringBuilder();

    public TextStream(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds a token; returns the text that became complete (often empty). */
    public String push(int id) {
        if (id >= 0 && id < tokenizer.vocabSize()) ids.add(id);
        String text = text();
        int stable = text.length();
        while (stable > 0 && (text.charAt(stable - 1) == '\uFFFD' || text.charAt(stable - 1) == ' ')) stable--;
        return emit(text, stable);
    }

    /** The text not yet given out, at the end of the reply (an incomplete character stays U+FFFD). */
    public String finish() {
        String text = text();
        if (text.startsWith(shown.toString())) return emit(text, text.length());
        String rest = text.length() > shown.length() ? text.substring(shown.length()) : ""; // shown text cannot be taken back
        shown.append(rest);
        return rest;
    }

    /** The reply's text so far, as one decode of every token. */
    public String text() {
        return tokenizer.decode(ids.toArray());
    }

    private String emit(String text, int upTo) {
        // the decoded text rarely changes what was already shown (the clean-up of " n't"); the rest then waits for finish()
        if (upTo <= shown.length() || !text.startsWith(shown.toString())) return "";
        String out = text.substring(shown.length(), upTo);
        shown.append(out);
        return out;
    }
}
