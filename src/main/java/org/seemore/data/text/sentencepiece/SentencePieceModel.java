package org.seemore.data.text.sentencepiece;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seemore.UserException;

/**
 * A SentencePiece {@code tokenizer.model}: the {@code ModelProto} protobuf, read field by field
 * (sentencepiece_model.proto): the pieces with score and type, the trainer options that matter when
 * encoding (model type, byte fallback, special ids) and the normalizer options.
 *
 * @param pieces every piece, indexed by id
 * @param modelType the trainer's {@code model_type}: 1 unigram, 2 BPE, 3 word, 4 char
 * @param byteFallback whether characters outside the vocabulary become {@code <0xNN>} byte pieces
 * @param unkId the unknown piece's id
 * @param bosId the beginning-of-sentence id, or -1
 * @param eosId the end-of-sentence id, or -1
 * @param padId the padding id, or -1
 * @param unkSurface what decoding writes for the unknown piece (" ⁇ " by default)
 * @param addDummyPrefix whether a space ({@code ▁}) is put before the text
 * @param removeExtraWhitespaces whether leading, trailing and repeated spaces are removed
 * @param escapeWhitespaces whether spaces become {@code ▁}
 * @param precompiledCharsmap whether the normalizer has a compiled character map (NFKC and the like)
 */
public record SentencePieceModel(List<Piece> pieces, int modelType, boolean byteFallback, int unkId, int bosId, int eosId,
                                 int padId, String unkSurface, boolean addDummyPrefix, boolean removeExtraWhitespaces,
                                 boolean escapeWhitespaces, boolean precompiledCharsmap) {

    public static final int UNIGRAM = 1;
    public static final int BPE = 2;

    /** A piece's type, as numbered in sentencepiece_model.proto. */
    public enum Type { NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

        static Type of(long number) {
            return switch ((int) number) {
                case 1 -> NORMAL;
                case 2 -> UNKNOWN;
                case 3 -> CONTROL;
                case 4 -> USER_DEFINED;
                case 5 -> UNUSED;
                case 6 -> BYTE;
                default -> throw new IllegalArgumentException("unknown piece type " + number);
            };
        }
    }

    /** One vocabulary entry. */
    public record Piece(String text, float score, Type type) {}

    public SentencePieceModel {
        pieces = List.copyOf(pieces);
    }

    /** Reads a {@code tokenizer.model}; a missing or malformed file is a {@link UserException} naming it. */
    public static SentencePieceModel read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserException("SentencePiece model not found: " + file);
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new UserException(file + " is not a valid SentencePiece model: " + e.getMessage());
        }
    }

    static SentencePieceModel parse(byte[] bytes) {
        List<Piece> pieces = new ArrayList<>();
        // Defaults from sentencepiece_model.proto.
        int modelType = UNIGRAM;
        boolean byteFallback = false;
        int unkId = 0, bosId = 1, eosId = 2, padId = -1;
        String unkSurface = " \u2047 ";
        boolean addDummyPrefix = true, removeExtraWhitespaces = true, escapeWhitespaces = true, charsmap = false;
        ProtoReader model = new ProtoReader(bytes, 0, bytes.length);
        while (model.hasMore()) {
            int field = model.nextField();
            if (field == 1 && model.wireType() == ProtoReader.LENGTH_DELIMITED) {
                pieces.add(piece(model.message()));
            } else if (field == 2 && model.wireType() == ProtoReader.LENGTH_DELIMITED) {
                ProtoReader trainer = model.message();
                while (trainer.hasMore()) {
                    int f = trainer.nextField();
                    switch (f) {
                        case 3 -> modelType = (int) trainer.varint();
                        case 35 -> byteFallback = trainer.varint() != 0;
                        case 40 -> unkId = (int) trainer.varint();
                        case 41 -> bosId = (int) trainer.varint();
                        case 42 -> eosId = (int) trainer.varint();
                        case 43 -> padId = (int) trainer.varint();
                        case 44 -> unkSurface = trainer.string();
                        default -> trainer.skip();
                    }
                }
            } else if (field == 3 && model.wireType() == ProtoReader.LENGTH_DELIMITED) {
                ProtoReader normalizer = model.message();
                while (normalizer.hasMore()) {
                    int f = normalizer.nextField();
                    switch (f) {
                        case 2 -> charsmap = !normalizer.string().isEmpty();
                        case 3 -> addDummyPrefix = normalizer.varint() != 0;
                        case 4 -> removeExtraWhitespaces = normalizer.varint() != 0;
                        case 5 -> escapeWhitespaces = normalizer.varint() != 0;
                        default -> normalizer.skip();
                    }
                }
            } else {
                model.skip();
            }
        }
        if (pieces.isEmpty()) throw new IllegalArgumentException("it holds no pieces");
        for (int id : new int[] {unkId, bosId, eosId, padId}) {
            if (id >= pieces.size()) throw new IllegalArgumentException("special id " + id + " is past the " + pieces.size() + " pieces");
        }
        return new SentencePieceModel(pieces, modelType, byteFallback, unkId, bosId, eosId, padId, unkSurface,
                addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces, charsmap);
    }

    private static Piece piece(ProtoReader reader) {
        String text = null;
        float score = 0;
        Type type = Type.NORMAL;
        while (reader.hasMore()) {
            switch (reader.nextField()) {
                case 1 -> text = reader.string();
                case 2 -> score = reader.fixed32Float();
                case 3 -> type = Type.of(reader.varint());
                default -> reader.skip();
            }
        }
        if (text == null) throw new IllegalArgumentException("a piece has no text");
        return new Piece(text, score, type);
    }
}
