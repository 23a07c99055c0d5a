package org.seemore.data.text;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Text to token ids and back: seemore's {@link CharTokenizer}, a Hugging Face {@code tokenizer.json}
 * ({@link org.seemore.data.text.hf.HfTokenizer}) or a SentencePiece {@code tokenizer.model}
 * ({@link org.seemore.data.text.sentencepiece.SentencePieceTokenizer}). {@link Tokenizers#load} picks one
 * for a model directory.
 *
 * <p>Ids run from 0 to {@link #vocabSize()} - 1. An id outside that range is an
 * {@link IllegalArgumentException} wherever an id is taken.
 */
public interface Tokenizer {

    /** The number of ids: one more than the highest id the tokenizer can produce. */
    int vocabSize();

    /**
     * The ids of {@code text} without any framing: no BOS or EOS is added (Hugging Face's
     * {@code add_special_tokens=False}). Tokenizers with added tokens recognise their text (for example
     * {@code <|im_start|>} in a rendered chat prompt) and give its id, as Hugging Face does.
     */
    int[] encode(String text);

    /**
     * The ids of {@code text}, framed as the tokenizer frames a sequence when {@code addSpecialTokens} is
     * set: what the Hugging Face post-processor or {@code add_bos_token}/{@code add_eos_token} add (Llama:
     * BOS first; GPT-2 and Qwen2: nothing); {@link CharTokenizer} puts {@code <bos>} first, as seemore
     * frames a prompt.
     */
    int[] encode(String text, boolean addSpecialTokens);

    /** The text of {@code ids} for display: special tokens (BOS, EOS, padding, ...) are left out. */
    default String decode(int[] ids) {
        return decode(ids, true);
    }

    /** The text of {@code ids}; with {@code skipSpecialTokens} false the special tokens' own text is kept. */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** The token an id stands for, as the vocabulary spells it (GPT-2: {@code "Ġworld"}; SentencePiece: {@code "▁world"}). */
    String token(int id);

    /** The tokens {@code ids} stand for, in order. */
    default List<String> tokens(int[] ids) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) tokens.add(token(id));
        return tokens;
    }

    /** The id of a token spelled as {@link #token} spells it, if the vocabulary has it. */
    OptionalInt id(String token);

    /** Whether {@code id} is a special token (one that {@link #decode(int[])} leaves out). */
    boolean isSpecial(int id);

    /** The beginning-of-sequence id, if the tokenizer has one. */
    OptionalInt bosId();

    /** The end-of-sequence id, if the tokenizer has one. */
    OptionalInt eosId();

    /** The padding id, if the tokenizer has one. */
    OptionalInt padId();

    /** The id for unknown text, if the tokenizer has one. */
    OptionalInt unkId();

    /** An id that a tokenizer may lack, stored as -1 when absent. */
    static OptionalInt present(int id) {
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Refuses an id outside [0, vocabSize): the one message every tokenizer gives. */
    static void checkId(int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
    }
}
