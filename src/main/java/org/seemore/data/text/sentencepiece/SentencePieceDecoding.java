package org.seemore.data.text.sentencepiece;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Token strings back to text as transformers 4.45's slow {@code LlamaTokenizer} does it, on top of
 * SentencePiece's own decoder ({@code SentencePieceProcessor::Decode}).
 *
 * <p>transformers: added tokens that are not special are written as they are (joined with spaces if
 * {@code spaces_between_special_tokens}); within the rest ({@code convert_tokens_to_string}) the first
 * token loses one leading {@code ▁}; a special token is written as its text, and in legacy mode a special
 * token after an ordinary one gets a space in front of the text decoded before it; the token right after a
 * leading special token gets a space if it does not start with {@code ▁}.
 *
 * <p>SentencePiece: {@code ▁} becomes a space; runs of byte pieces become their UTF-8 text (each invalid byte
 * one U+FFFD); the first piece that starts with {@code ▁} before any text loses it (the dummy prefix);
 * control pieces vanish; a string that is no piece is copied unchanged (so it keeps its {@code ▁}).
 * Together these drop one more leading space than the text had when it began with whitespace, as
 * transformers does.
 */
final class SentencePieceDecoding {
    private static final String SPACE = "\u2581";

    private final SentencePieceModel model;
    private final SentencePieceBpe pieces;
    private final Set<String> specialTexts;
    private final Set<String> legacyAdded;
    private final boolean legacy;
    private final boolean addPrefixSpace;
    private final boolean spacesBetweenSpecialTokens;

    SentencePieceDecoding(SentencePieceModel model, SentencePieceBpe pieces, Set<String> specialTexts, Set<String> legacyAdded, boolean legacy,
                          boolean addPrefixSpace, boolean spacesBetweenSpecialTokens) {
        this.model = model;
        this.pieces = pieces;
        this.specialTexts = specialTexts;
        this.legacyAdded = legacyAdded;
        this.legacy = legacy;
        this.addPrefixSpace = addPrefixSpace;
        this.spacesBetweenSpecialTokens = spacesBetweenSpecialTokens;
    }

    /** transformers' {@code _decode} after the ids became tokens (special ones already dropped if asked). */
    String decode(List<String> tokens) {
        List<String> texts = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String token : tokens) {
            if (legacyAdded.contains(token)) {
                if (!current.isEmpty()) {
                    String text = tokensToString(current);
                    if (!text.isEmpty()) texts.add(text);
                    current = new ArrayList<>();
                }
                texts.add(token);
            } else {
                current.add(token);
            }
        }
        if (!current.isEmpty()) texts.add(tokensToString(current));
        return String.join(spacesBetweenSpecialTokens ? " " : "", texts);
    }

    /** {@code LlamaTokenizer.convert_tokens_to_string}. */
    private String tokensToString(List<String> tokens) {
        List<String> copy = new ArrayList<>(tokens);
        if (copy.getFirst().startsWith(SPACE) && addPrefixSpace) copy.set(0, copy.getFirst().substring(SPACE.length()));
        StringBuilder out = new StringBuilder();
        List<String> current = new ArrayList<>();
        boolean previousSpecial = false;
        for (int i = 0; i < copy.size(); i++) {
            String token = copy.get(i);
            if (specialTexts.contains(token)) {
                if (!previousSpecial && i != 0 && legacy) out.append(' ');
                out.append(sentencePieceDecode(current)).append(token);
                previousSpecial = true;
                current = new ArrayList<>();
            } else {
                if (previousSpecial && i == 1 && addPrefixSpace && !token.startsWith(SPACE)) out.append(' ');
                current.add(token);
                previousSpecial = false;
            }
        }
        return out.append(sentencePieceDecode(current)).toString();
    }

    /** {@code SentencePieceProcessor::Decode} of piece strings. */
    String sentencePieceDecode(List<String> tokens) {
        StringBuilder text = new StringBuilder();
        List<Integer> bytes = new ArrayList<>();
        boolean atStart = true;
        boolean startSpaceSeen = false;
        for (String token : tokens) {
            int id = pieces.pieceId(token);
            if (id < 0) id = model.unkId();
            SentencePieceModel.Type type = model.pieces().get(id).type();
            if (type == SentencePieceModel.Type.BYTE) {
                bytes.add(byteOf(token));
                continue;
            }
            flushBytes(bytes, text);
            if (startSpaceSeen || !text.isEmpty()) atStart = false;
            startSpaceSeen = false;
            if (type == SentencePieceModel.Type.CONTROL) continue;
            if (type == SentencePieceModel.Type.UNKNOWN) {
                text.append(model.pieces().get(id).text().equals(token) ? model.unkSurface() : token);
                continue;
            }
            String piece = token;
            if (atStart && (model.addDummyPrefix() || model.removeExtraWhitespaces()) && piece.startsWith(SPACE)) {
                piece = piece.substring(SPACE.length());
                startSpaceSeen = !model.removeExtraWhitespaces();
            }
            text.append(piece.replace(SPACE, " "));
        }
        flushBytes(bytes, text);
        return text.toString();
    }

    /** The byte a {@code <0xNN>} piece stands for, or -1. */
    static int byteOf(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') return -1;
        int high = Character.digit(piece.charAt(3), 16);
        int low = Character.digit(piece.charAt(4), 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    /** Appends the text of pending byte pieces: each valid UTF-8 character, or U+FFFD for each byte that starts none. */
    private static void flushBytes(List<Integer> pending, StringBuilder text) {
        if (pending.isEmpty()) return;
        byte[] bytes = new byte[pending.size()];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (int) pending.get(i);
        pending.clear();
        for (int i = 0; i < bytes.length; ) {
            int length = validCharLength(bytes, i);
            if (length == 0) {
                text.append('\uFFFD');
                i++;
            } else {
                text.append(new String(bytes, i, length, StandardCharsets.UTF_8));
                i += length;
            }
        }
    }

    /** SentencePiece's {@code IsValidDecodeUTF8}: the length of the well-formed character at {@code i}, or 0. */
    private static int validCharLength(byte[] bytes, int i) {
        int b0 = bytes[i] & 0xFF;
        if (b0 < 0x80) return 1;
        int left = bytes.length - i;
        if (left >= 2 && (b0 & 0xE0) == 0xC0 && cont(bytes[i + 1])) {
            int c = (b0 & 0x1F) << 6 | (bytes[i + 1] & 0x3F);
            return c >= 0x80 ? 2 : 0;
        }
        if (left >= 3 && (b0 & 0xF0) == 0xE0 && cont(bytes[i + 1]) && cont(bytes[i + 2])) {
            int c = (b0 & 0x0F) << 12 | (bytes[i + 1] & 0x3F) << 6 | (bytes[i + 2] & 0x3F);
            return c >= 0x800 && (c < 0xD800 || c > 0xDFFF) ? 3 : 0;
        }
        if (left >= 4 && (b0 & 0xF8) == 0xF0 && cont(bytes[i + 1]) && cont(bytes[i + 2]) && cont(bytes[i + 3])) {
            int c = (b0 & 0x07) << 18 | (bytes[i + 1] & 0x3F) << 12 | (bytes[i + 2] & 0x3F) << 6 | (bytes[i + 3] & 0x3F);
            return c >= 0x10000 && c <= 0x10FFFF ? 4 : 0;
        }
        return 0;
    }

    private static boolean cont(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
