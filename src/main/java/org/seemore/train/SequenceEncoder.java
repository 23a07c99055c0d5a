package org.seemore.train;

import java.util.Arrays;
import java.util.List;
import org.seemore.data.Example;
import org.seemore.data.text.CharTokenizer;
import org.seemore.tensor.NnOps;

/**
 * Turns examples into the decoder's input and targets. The text is
 * {@code <bos> prompt answer <eos>}; the input is every token but the last, the target of each
 * input position is the next token, and only the answer's tokens and the final {@code <eos>} are
 * scored. Sequences longer than the position table allows are cut; batches are right-padded with
 * {@code <pad>} inputs and ignored targets (the original seemore trained on its padding; we don't).
 */
public final class SequenceEncoder {
    private final CharTokenizer tokenizer;
    private final int maxTextTokens;

    /** @param maxTextTokens positions left for text after the visual tokens */
    public SequenceEncoder(CharTokenizer tokenizer, int maxTextTokens) {
        this.tokenizer = tokenizer;
        this.maxTextTokens = maxTextTokens;
    }

    /** One example's input and targets (same length). */
    public record Encoded(int[] input, int[] target) {}

    public Encoded encode(Example example) {
        int[] prompt = tokenizer.encode(example.prompt());
        int[] answer = tokenizer.encode(example.answer());
        int n = 1 + prompt.length + answer.length;            // input: <bos> prompt answer
        int len = Math.min(n, maxTextTokens);
        int[] input = new int[len], target = new int[len];
        int[] full = new int[n + 1];
        full[0] = CharTokenizer.BOS;
        System.arraycopy(prompt, 0, full, 1, prompt.length);
        System.arraycopy(answer, 0, full, 1 + prompt.length, answer.length);
        full[n] = CharTokenizer.EOS;
        for (int t = 0; t < len; t++) {
            input[t] = full[t];
            // position t predicts full[t+1]; the prompt's own tokens are not scored
            target[t] = t + 1 >= 1 + prompt.length ? full[t + 1] : NnOps.IGNORE_INDEX;
        }
        return new Encoded(input, target);
    }

    /**
     * Whether {@link #encode} cuts this example short, so that the end of its answer and its {@code <eos>}
     * are never trained on or scored: {@code <bos>}, prompt and answer need more than {@code maxTextTokens}
     * positions. The tokenizer is character-level: one token per code point, unknown ones included.
     */
    public static boolean truncates(Example example, int maxTextTokens) {
        return 1L + codePoints(example.prompt()) + codePoints(example.answer()) > maxTextTokens;
    }

    /** How many of {@code examples} {@link #truncates} cuts short. */
    public static int countTruncated(List<Example> examples, int maxTextTokens) {
        int count = 0;
        for (Example e : examples) if (truncates(e, maxTextTokens)) count++;
        return count;
    }

    private static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }

    /** The prompt as the generator's prefix: {@code <bos> prompt}. */
    public int[] promptTokens(String prompt) {
        int[] p = tokenizer.encode(prompt);
        int[] out = new int[Math.min(p.length + 1, maxTextTokens)];
        out[0] = CharTokenizer.BOS;
        System.arraycopy(p, 0, out, 1, out.length - 1);
        return out;
    }

    /** Pads encoded examples to the longest: tokens and targets (B*T) row-major. */
    public static int[][] pad(List<Encoded> items) {
        int t = 0;
        for (Encoded e : items) t = Math.max(t, e.input().length);
        int b = items.size();
        int[] tokens = new int[b * t], targets = new int[b * t];
        Arrays.fill(tokens, CharTokenizer.PAD);
        Arrays.fill(targets, NnOps.IGNORE_INDEX);
        for (int i = 0; i < b; i++) {
            Encoded e = items.get(i);
            System.arraycopy(e.input(), 0, tokens, i * t, e.input().length);
            System.arraycopy(e.target(), 0, targets, i * t, e.target().length);
        }
        return new int[][] {tokens, targets, {t}};
    }
}
