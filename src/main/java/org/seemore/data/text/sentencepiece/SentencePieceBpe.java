package org.seemore.data.text.sentencepiece;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.seemore.data.text.LongHeap;
import org.seemore.data.text.TokenIds;

/**
 * SentencePiece's BPE encoder ({@code bpe_model.cc}) for one piece of text: normalize (spaces to {@code ▁},
 * the dummy prefix), start from one symbol per character (user-defined pieces whole), then repeatedly merge
 * the adjacent pair whose concatenation is the vocabulary piece with the highest score, leftmost first on
 * ties. Symbols that are not pieces become {@code <0xNN>} byte pieces with byte fallback, else the unknown
 * id (a run of unknown symbols becomes one).
 */
final class SentencePieceBpe {
    private static final String SPACE = "\u2581";

    private final SentencePieceModel model;
    /** NORMAL, USER_DEFINED and UNUSED pieces: the ones a merge can produce. */
    private final Map<String, Integer> mergeable = new HashMap<>();
    /** UNKNOWN, CONTROL and BYTE pieces, looked up first as SentencePiece does. */
    private final Map<String, Integer> reserved = new HashMap<>();
    private final List<String> userDefined = new ArrayList<>();
    private final int[] byteIds = new int[256];

    SentencePieceBpe(SentencePieceModel model) {
        this.model = model;
        java.util.Arrays.fill(byteIds, -1);
        List<SentencePieceModel.Piece> pieces = model.pieces();
        for (int id = 0; id < pieces.size(); id++) {
            SentencePieceModel.Piece piece = pieces.get(id);
            switch (piece.type()) {
                case NORMAL, USER_DEFINED, UNUSED -> mergeable.putIfAbsent(piece.text(), id);
                case UNKNOWN, CONTROL, BYTE -> reserved.putIfAbsent(piece.text(), id);
            }
            if (piece.type() == SentencePieceModel.Type.USER_DEFINED) userDefined.add(piece.text());
            if (piece.type() == SentencePieceModel.Type.BYTE) {
                int b = SentencePieceDecoding.byteOf(piece.text());
                if (b >= 0) byteIds[b] = id;
            }
        }
        userDefined.sort(Comparator.comparingInt(String::length).reversed());
    }

    /** The id of a piece's text, or -1 if the vocabulary has no such piece. */
    int pieceId(String piece) {
        Integer id = reserved.get(piece);
        if (id == null) id = mergeable.get(piece);
        return id == null ? -1 : id;
    }

    /** Appends the ids of one segment of text (between special tokens); an empty segment adds nothing. */
    void encode(String text, TokenIds out) {
        String normalized = normalize(text);
        if (normalized.isEmpty()) return;
        boolean previousUnknown = false;
        for (String symbol : merge(normalized)) {
            int id = pieceId(symbol);
            if (id >= 0 && model.pieces().get(id).type() == SentencePieceModel.Type.UNKNOWN) id = -1;
            if (id >= 0) {
                out.add(id);
                previousUnknown = false;
            } else if (model.byteFallback() && addBytes(symbol, out)) {
                previousUnknown = false;
            } else {
                if (!previousUnknown) out.add(model.unkId());
                previousUnknown = true;
            }
        }
    }

    private boolean addBytes(String symbol, TokenIds out) {
        byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) if (byteIds[b & 0xFF] < 0) return false;
        for (byte b : bytes) out.add(byteIds[b & 0xFF]);
        return true;
    }

    /** SentencePiece's normalizer without a character map: optional whitespace squeezing, {@code ▁} for spaces, the dummy prefix. */
    private String normalize(String text) {
        if (model.removeExtraWhitespaces()) text = text.strip().replaceAll(" +", " ");
        if (text.isEmpty()) return text;
        String space = model.escapeWhitespaces() ? SPACE : " ";
        if (model.escapeWhitespaces()) text = text.replace(" ", SPACE);
        return model.addDummyPrefix() ? space + text : text;
    }

    /**
     * The symbols after every merge, as strings, left to right. The queue holds one long per candidate pair:
     * the negated score in sortable form above the left symbol's position, so the smallest key is the
     * highest score, leftmost first. A popped key is stale when the pair now at its position is not a piece
     * of that score.
     */
    private List<String> merge(String text) {
        int n = 0;
        int[] start = new int[text.length() + 1];
        int[] end = new int[text.length() + 1];
        boolean[] frozen = new boolean[text.length() + 1];
        for (int i = 0; i < text.length(); ) {
            String user = userDefined.isEmpty() ? null : userDefinedAt(text, i);
            int length = user != null ? user.length() : Character.charCount(text.codePointAt(i));
            start[n] = i;
            end[n] = i + length;
            frozen[n] = user != null;
            n++;
            i += length;
        }
        int[] previous = new int[n];
        int[] next = new int[n];
        boolean[] alive = new boolean[n];
        for (int i = 0; i < n; i++) {
            previous[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            alive[i] = true;
        }
        LongHeap agenda = new LongHeap(n);
        Map<String, String[]> unusedSplits = new HashMap<>();
        for (int i = 0; i + 1 < n; i++) consider(text, i, i + 1, start, end, frozen, agenda);
        while (!agenda.isEmpty()) {
            long top = agenda.pop();
            int left = (int) top;
            int right = next[left];
            if (!alive[left] || right < 0 || frozen[left] || frozen[right]) continue;
            String merged = text.substring(start[left], end[right]);
            Integer id = mergeable.get(merged);
            if (id == null || priority(model.pieces().get(id).score(), left) != top) continue;
            if (model.pieces().get(id).type() == SentencePieceModel.Type.UNUSED) {
                unusedSplits.put(merged, new String[] {text.substring(start[left], end[left]), text.substring(start[right], end[right])});
            }
            end[left] = end[right];
            alive[right] = false;
            next[left] = next[right];
            if (next[right] >= 0) previous[next[right]] = left;
            if (previous[left] >= 0) consider(text, previous[left], left, start, end, frozen, agenda);
            if (next[left] >= 0) consider(text, left, next[left], start, end, frozen, agenda);
        }
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i >= 0 && n > 0; i = next[i]) resegment(text.substring(start[i], end[i]), unusedSplits, symbols);
        return symbols;
    }

    /** The queue key of a candidate: higher scores first, then the leftmost. */
    private static long priority(float score, int left) {
        int bits = Float.floatToIntBits(-score);
        int sortable = bits ^ ((bits >> 31) & 0x7FFFFFFF);
        return (long) sortable << 32 | left;
    }

    private void consider(String text, int left, int right, int[] start, int[] end, boolean[] frozen, LongHeap agenda) {
        if (frozen[left] || frozen[right]) return;
        Integer id = mergeable.get(text.substring(start[left], end[right]));
        if (id != null) agenda.push(priority(model.pieces().get(id).score(), left));
    }

    /** An UNUSED piece may appear mid-merge but not in the output: it is split back into the pieces it was made of. */
    private static void resegment(String symbol, Map<String, String[]> unusedSplits, List<String> out) {
        String[] parts = unusedSplits.get(symbol);
        if (parts == null) {
            out.add(symbol);
            return;
        }
        resegment(parts[0], unusedSplits, out);
        resegment(parts[1], unusedSplits, out);
    }

    private String userDefinedAt(String text, int position) {
        for (String piece : userDefined) if (text.startsWith(piece, position)) return piece;
        return null;
    }
}
