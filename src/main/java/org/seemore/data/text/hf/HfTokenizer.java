package org.seemore.data.text.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.seemore.UserException;
import org.seemore.data.text.TokenIds;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.TokenizerConfig;

/**
 * A Hugging Face {@code tokenizer.json} with a BPE model: GPT-2's byte-level BPE (also Llama 3, Qwen2,
 * SmolLM2) and SentencePiece-style BPE with byte fallback (Llama 2, TinyLlama). Encoding runs the
 * tokenizers library's pipeline: added tokens are cut out first, the rest is normalized, pre-tokenized into
 * words and each word goes through BPE; {@code encode(text, true)} adds what the post-processor adds.
 * Decoding maps ids to tokens (dropping special ones if asked) and runs the decoder chain, then
 * transformers' clean-up of spaces if {@code tokenizer_config.json} asks for it.
 *
 * <p>This is what transformers' fast tokenizers return. For Llama 2 that differs from the slow
 * SentencePiece tokenizer in decoding only (see
 * {@link org.seemore.data.text.sentencepiece.SentencePieceTokenizer}).
 */
public final class HfTokenizer implements Tokenizer {
    public static final String FILE = "tokenizer.json";

    private final AddedVocabulary added;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final Bpe model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final boolean cleanUpSpaces;
    private final int vocabSize;
    private final int bos;
    private final int eos;
    private final int pad;
    private final int unk;

    HfTokenizer(AddedVocabulary added, Normalizer normalizer, PreTokenizer preTokenizer, Bpe model,
                PostProcessor postProcessor, Decoder decoder, TokenizerConfig config) {
        this.added = added;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.decoder = decoder;
        this.cleanUpSpaces = config.cleanUpTokenizationSpaces();
        this.vocabSize = Math.max(model.maxId(), added.maxId()) + 1;
        this.bos = roleId(config, "bos_token");
        this.eos = roleId(config, "eos_token");
        this.pad = roleId(config, "pad_token");
        int configUnk = roleId(config, "unk_token");
        this.unk = configUnk >= 0 ? configUnk : model.unkId() == null ? -1 : model.unkId();
        this.postProcessor = config.tokenizerClass() != null && LLAMA_CLASSES.contains(config.tokenizerClass()) ? llamaFraming(config) : postProcessor;
    }

    /** Tokenizer classes whose fast tokenizer rebuilds its post-processor from {@code add_bos_token}/{@code add_eos_token}. */
    private static final java.util.Set<String> LLAMA_CLASSES = java.util.Set.of("LlamaTokenizer", "LlamaTokenizerFast",
            "CodeLlamaTokenizer", "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast");

    /**
     * transformers' {@code LlamaTokenizerFast.update_post_processor}: BOS first unless {@code add_bos_token}
     * is false, EOS last if {@code add_eos_token} is true, whatever the file's template says.
     */
    private PostProcessor llamaFraming(TokenizerConfig config) {
        int[] prefix = bos >= 0 && !Boolean.FALSE.equals(config.addBosToken()) ? new int[] {bos} : new int[0];
        int[] suffix = eos >= 0 && Boolean.TRUE.equals(config.addEosToken()) ? new int[] {eos} : new int[0];
        return ids -> {
            int[] out = new int[prefix.length + ids.length + suffix.length];
            System.arraycopy(prefix, 0, out, 0, prefix.length);
            System.arraycopy(ids, 0, out, prefix.length, ids.length);
            System.arraycopy(suffix, 0, out, prefix.length + ids.length, suffix.length);
            return out;
        };
    }

    /**
     * The tokenizer of a model directory: {@code tokenizer.json}, with the special tokens and options of
     * {@code tokenizer_config.json} / {@code special_tokens_map.json} where present.
     */
    public static HfTokenizer load(Path dir) {
        return read(dir.resolve(FILE), TokenizerConfig.read(dir));
    }

    /** The tokenizer of one {@code tokenizer.json} file, with the options of {@code config}. */
    public static HfTokenizer read(Path file, TokenizerConfig config) {
        if (!Files.isRegularFile(file)) throw new UserException("tokenizer file not found: " + file);
        return fromJson(TokenizerConfig.readJson(file), file, config);
    }

    /** The tokenizer of an already parsed {@code tokenizer.json} ({@code file} names it in errors). */
    public static HfTokenizer fromJson(JsonNode root, Path file, TokenizerConfig config) {
        Spec spec = new Spec(file);
        JsonNode modelNode = root.get("model");
        if (modelNode == null || !modelNode.isObject()) throw spec.fail("has no \"model\" object; not a Hugging Face tokenizer.json");
        spec.type(modelNode, "model", List.of("BPE"));
        Bpe model = Bpe.parse(modelNode, spec);
        Normalizer normalizer = Normalizer.parse(root.get("normalizer"), spec);
        List<AddedVocabulary.AddedToken> addedTokens = new ArrayList<>();
        JsonNode addedNode = root.path("added_tokens");
        for (JsonNode token : addedNode) {
            addedTokens.add(new AddedVocabulary.AddedToken(spec.integer(token, "id", "added token"), spec.text(token, "content", "added token"),
                    spec.bool(token, "special", false, "added token"), spec.bool(token, "normalized", true, "added token"),
                    spec.bool(token, "lstrip", false, "added token"), spec.bool(token, "rstrip", false, "added token"),
                    spec.bool(token, "single_word", false, "added token")));
        }
        return new HfTokenizer(new AddedVocabulary(addedTokens, normalizer), normalizer,
                PreTokenizer.parse(root.get("pre_tokenizer"), spec), model,
                PostProcessor.parse(root.get("post_processor"), spec), Decoder.parse(root.get("decoder"), spec), config);
    }

    /**
     * GPT-2's older layout, {@code vocab.json} and {@code merges.txt}: byte-level BPE with GPT-2's regex and
     * the added tokens of {@code tokenizer_config.json}, as transformers' GPT-2 converter builds it.
     */
    public static HfTokenizer gpt2(Path vocabFile, Path mergesFile, TokenizerConfig config) {
        Spec vocabSpec = new Spec(vocabFile);
        JsonNode vocabNode = TokenizerConfig.readJson(vocabFile);
        if (!Files.isRegularFile(vocabFile) || vocabNode.isEmpty()) throw vocabSpec.fail("is missing or holds no vocabulary");
        java.util.Map<String, Integer> vocab = new java.util.HashMap<>();
        vocabNode.properties().forEach(entry -> {
            if (!entry.getValue().canConvertToInt()) throw vocabSpec.fail("token " + entry.getKey() + " has id " + entry.getValue() + ", not an integer");
            vocab.put(entry.getKey(), entry.getValue().intValue());
        });
        Spec mergesSpec = new Spec(mergesFile);
        List<String[]> merges = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(mergesFile);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if ((i == 0 && line.startsWith("#version")) || line.isBlank()) continue;
                String[] pair = line.split(" ", -1);
                if (pair.length != 2) throw mergesSpec.fail("line " + (i + 1) + " is not \"left right\"");
                merges.add(pair);
            }
        } catch (java.io.IOException e) {
            throw new UserException("cannot read " + mergesFile + ": " + e.getMessage(), e);
        }
        List<AddedVocabulary.AddedToken> addedTokens = new ArrayList<>();
        config.addedTokens().forEach((id, token) -> addedTokens.add(new AddedVocabulary.AddedToken(id, token.content(), token.special(), true, false, false, false)));
        Normalizer identity = text -> text;
        return new HfTokenizer(new AddedVocabulary(addedTokens, identity), identity, PreTokenizer.byteLevel(false, true),
                Bpe.of(vocab, merges, mergesSpec), ids -> ids, Decoder.byteLevel(), config);
    }

    private int roleId(TokenizerConfig config, String role) {
        String token = config.specialToken(role);
        if (token == null) return -1;
        OptionalInt id = id(token);
        return id.isPresent() ? id.getAsInt() : -1;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int[] encode(String text) {
        return encode(text, false);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        TokenIds ids = new TokenIds();
        for (AddedVocabulary.Segment segment : added.split(text, normalizer)) {
            if (segment.addedId() >= 0) {
                ids.add(segment.addedId());
                continue;
            }
            List<PreTokenizer.Piece> words = preTokenizer.split(List.of(new PreTokenizer.Piece(segment.text(), segment.atStart())));
            for (PreTokenizer.Piece word : words) model.tokenize(word.text(), ids);
        }
        return addSpecialTokens ? postProcessor.frame(ids.toArray()) : ids.toArray();
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            checkId(id);
            if (skipSpecialTokens && added.isSpecial(id)) continue;
            String token = tokenOrNull(id);
            if (token != null) tokens.add(token);
        }
        String text = decoder == null ? String.join(" ", tokens) : String.join("", decoder.decode(tokens));
        return cleanUpSpaces ? cleanUpTokenization(text) : text;
    }

    /** transformers' {@code clean_up_tokenization}: no space before punctuation and English contractions. */
    public static String cleanUpTokenization(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                .replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
    }

    @Override
    public String token(int id) {
        checkId(id);
        String token = tokenOrNull(id);
        if (token == null) throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
        return token;
    }

    private String tokenOrNull(int id) {
        AddedVocabulary.AddedToken token = added.get(id);
        return token != null ? token.content() : model.token(id);
    }

    @Override
    public OptionalInt id(String token) {
        Integer id = added.id(token);
        if (id == null) id = model.id(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public boolean isSpecial(int id) {
        checkId(id);
        return added.isSpecial(id);
    }

    @Override
    public OptionalInt bosId() {
        return Tokenizer.present(bos);
    }

    @Override
    public OptionalInt eosId() {
        return Tokenizer.present(eos);
    }

    @Override
    public OptionalInt padId() {
        return Tokenizer.present(pad);
    }

    @Override
    public OptionalInt unkId() {
        return Tokenizer.present(unk);
    }

    private void checkId(int id) {
        Tokenizer.checkId(id, vocabSize);
    }

    @Override
    public String toString() {
        return "HfTokenizer(vocabSize=" + vocabSize + ")";
    }
}
