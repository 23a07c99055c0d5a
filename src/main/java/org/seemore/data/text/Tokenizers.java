package org.seemore.data.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.seemore.UserException;
import org.seemore.data.text.hf.HfTokenizer;
import org.seemore.data.text.sentencepiece.SentencePieceTokenizer;

/** Finds the tokenizer of a model directory. */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * The tokenizer in {@code dir}, tried in this order:
     * <ol>
     *   <li>{@code tokenizer.json}: seemore's own character tokenizer ({@code "format": "seemore-char-tokenizer"})
     *       or a Hugging Face one (it has a {@code "model"});</li>
     *   <li>{@code tokenizer.model}: a SentencePiece BPE model;</li>
     *   <li>{@code vocab.json} with {@code merges.txt}: GPT-2's byte-level BPE files.</li>
     * </ol>
     * {@code tokenizer_config.json} and {@code special_tokens_map.json} add special tokens and options to the
     * Hugging Face kinds. Missing, malformed or unsupported files are a one-line {@link UserException} that
     * names the file.
     */
    public static Tokenizer load(Path dir) {
        if (!Files.isDirectory(dir)) throw new UserException("tokenizer directory not found: " + dir);
        Path json = dir.resolve(HfTokenizer.FILE);
        if (Files.isRegularFile(json)) {
            JsonNode root = TokenizerConfig.readJson(json);
            if (root.has("format")) {
                if (CharTokenizer.FORMAT.equals(root.get("format").asText())) return CharTokenizer.load(json);
                throw new UserException(json + ": unknown tokenizer format " + root.get("format") + " (supported: \"" + CharTokenizer.FORMAT + "\" or a Hugging Face tokenizer.json)");
            }
            if (!root.has("model")) {
                throw new UserException(json + " is neither a Hugging Face tokenizer.json (it has no \"model\") nor a seemore character tokenizer (no \"format\")");
            }
            return HfTokenizer.fromJson(root, json, TokenizerConfig.read(dir));
        }
        if (Files.isRegularFile(dir.resolve(SentencePieceTokenizer.FILE))) return SentencePieceTokenizer.load(dir);
        Path vocab = dir.resolve("vocab.json");
        Path merges = dir.resolve("merges.txt");
        if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) return HfTokenizer.gpt2(vocab, merges, TokenizerConfig.read(dir));
        throw new UserException(dir + " has no tokenizer: expected tokenizer.json, tokenizer.model, or vocab.json with merges.txt");
    }
}
