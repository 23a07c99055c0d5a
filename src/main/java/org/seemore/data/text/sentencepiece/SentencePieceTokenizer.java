package org.seemore.data.text.sentencepiece;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.seemore.UserException;
import org.seemore.data.text.TokenIds;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.TokenizerConfig;
import org.seemore.data.text.hf.HfTokenizer;

/**
 * A SentencePiece BPE {@code tokenizer.model} (Llama 2, TinyLlama), used as transformers' slow
 * {@code LlamaTokenizer} uses it with {@code legacy=True}: the text is cut at the special tokens, each other
 * segment is encoded by SentencePiece on its own (with its own dummy prefix {@code ▁}), BOS goes first.
 * Decoding reproduces that tokenizer's text too, quirks included (see {@link SentencePieceDecoding}).
 */
public final class SentencePieceTokenizer implements Tokenizer {
    public static final String FILE = "tokenizer.model";

    private final SentencePieceModel model;
    private final SentencePieceBpe bpe;
    /** Text that is cut out of the input and becomes one id: the added/special tokens, longest first. */
    private final List<String> splitTokens;
    private final Map<String, Integer> splitIds = new HashMap<>();
    private final java.util.BitSet splitFirstChars = new java.util.BitSet();
    /** transformers' {@code all_special_tokens}: BOS, EOS, UNK, padding and the additional special tokens. */
    private final Set<String> specialTexts = new HashSet<>();
    private final Set<Integer> specialIds = new HashSet<>();
    /** Added tokens beyond the model's pieces (from {@code added_tokens_decoder}), by id. */
    private final Map<Integer, String> extraTokens = new HashMap<>();
    private final Map<String, Integer> extraIds = new HashMap<>();
    private final SentencePieceDecoding decoding;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean cleanUpSpaces;
    private final int bos;
    private final int eos;
    private final int pad;
    private final int unk;

    public SentencePieceTokenizer(SentencePieceModel model, TokenizerConfig config) {
        if (model.modelType() != SentencePieceModel.BPE) {
            throw new IllegalArgumentException("SentencePiece model type " + modelTypeName(model.modelType()) + " is not supported (supported: BPE)");
        }
        if (model.precompiledCharsmap()) throw new IllegalArgumentException("a SentencePiece normalizer with a compiled character map (NFKC) is not supported (supported: identity)");
        this.model = model;
        this.bpe = new SentencePieceBpe(model);
        config.addedTokens().forEach((id, token) -> {
            if (id >= model.pieces().size()) {
                extraTokens.put(id, token.content());
                extraIds.put(token.content(), id);
            }
        });
        Set<String> split = new HashSet<>();
        for (SentencePieceModel.Piece piece : model.pieces()) {
            if (piece.type() == SentencePieceModel.Type.CONTROL || piece.type() == SentencePieceModel.Type.UNKNOWN) split.add(piece.text());
        }
        config.addedTokens().values().forEach(token -> split.add(token.content()));
        split.remove("");
        splitTokens = split.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        for (String token : splitTokens) idOf(token).ifPresent(id -> {
            splitIds.put(token, id);
            splitFirstChars.set(token.charAt(0));
        });
        this.bos = roleId(config, "bos_token", model.bosId());
        this.eos = roleId(config, "eos_token", model.eosId());
        this.pad = roleId(config, "pad_token", model.padId());
        this.unk = roleId(config, "unk_token", model.unkId());
        for (int id : new int[] {bos, eos, pad, unk}) {
            if (id >= 0) {
                specialIds.add(id);
                specialTexts.add(token(id));
            }
        }
        if (config.specialTokens().get("additional_special_tokens") instanceof List<?> additional) {
            for (Object token : additional) idOf((String) token).ifPresent(id -> {
                specialIds.add(id);
                specialTexts.add((String) token);
            });
        }
        Set<String> legacyAdded = new HashSet<>();
        for (TokenizerConfig.AddedToken token : config.addedTokens().values()) {
            if (!specialTexts.contains(token.content())) legacyAdded.add(token.content());
        }
        this.decoding = new SentencePieceDecoding(model, bpe, specialTexts, legacyAdded,
                !Boolean.FALSE.equals(config.legacy()), !Boolean.FALSE.equals(config.addPrefixSpace()),
                !Boolean.FALSE.equals(config.spacesBetweenSpecialTokens()));
        this.addBos = !Boolean.FALSE.equals(config.addBosToken());
        this.addEos = Boolean.TRUE.equals(config.addEosToken());
        this.cleanUpSpaces = config.cleanUpTokenizationSpaces();
    }

    /** The tokenizer of a model directory's {@code tokenizer.model}, with {@code tokenizer_config.json} where present. */
    public static SentencePieceTokenizer load(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            return new SentencePieceTokenizer(SentencePieceModel.read(file), TokenizerConfig.read(dir));
        } catch (IllegalArgumentException e) {
            throw new UserException(file + ": " + e.getMessage());
        }
    }

    private static String modelTypeName(int type) {
        return switch (type) {
            case 1 -> "UNIGRAM";
            case 2 -> "BPE";
            case 3 -> "WORD";
            case 4 -> "CHAR";
            default -> String.valueOf(type);
        };
    }

    private int roleId(TokenizerConfig config, String role, int modelId) {
        String token = config.specialToken(role);
        if (token == null) return modelId;
        return idOf(token).orElse(-1);
    }

    private OptionalInt idOf(String token) {
        Integer extra = extraIds.get(token);
        if (extra != null) return OptionalInt.of(extra);
        int id = bpe.pieceId(token);
        return id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
    }

    @Override
    public int vocabSize() {
        int max = model.pieces().size() - 1;
        for (int id : extraTokens.keySet()) max = Math.max(max, id);
        return max + 1;
    }

    @Override
    public int[] encode(String text) {
        return encode(text, false);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        TokenIds ids = new TokenIds();
        if (addSpecialTokens && addBos && bos >= 0) ids.add(bos);
        int segmentStart = 0;
        for (int i = 0; i < text.length(); ) {
            String special = specialAt(text, i);
            if (special == null) {
                i++;
                continue;
            }
            bpe.encode(text.substring(segmentStart, i), ids);
            ids.add(splitIds.get(special));
            i += special.length();
            segmentStart = i;
        }
        bpe.encode(text.substring(segmentStart), ids);
        if (addSpecialTokens && addEos && eos >= 0) ids.add(eos);
        return ids.toArray();
    }

    /** The longest split token that starts at {@code position}, or null. */
    private String specialAt(String text, int position) {
        if (!splitFirstChars.get(text.charAt(position))) return null;
        for (String token : splitTokens) {
            if (splitIds.containsKey(token) && text.startsWith(token, position)) return token;
        }
        return null;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            checkId(id);
            if (skipSpecialTokens && specialIds.contains(id)) continue;
            tokens.add(token(id));
        }
        String text = decoding.decode(tokens);
        return cleanUpSpaces ? HfTokenizer.cleanUpTokenization(text) : text;
    }

    @Override
    public String token(int id) {
        checkId(id);
        if (id < model.pieces().size()) return model.pieces().get(id).text();
        String extra = extraTokens.get(id);
        if (extra == null) throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
        return extra;
    }

    @Override
    public OptionalInt id(String token) {
        return idOf(token);
    }

    @Override
    public boolean isSpecial(int id) {
        checkId(id);
        return specialIds.contains(id);
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
        Tokenizer.checkId(id, vocabSize());
    }

    @Override
    public String toString() {
        return "SentencePieceTokenizer(vocabSize=" + vocabSize() + ")";
    }
}
