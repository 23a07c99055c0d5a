package org.seemore.data.text.sentencepiece;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
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

    /** A merge candidate: symbols {@code left} and {@code right} spanning {@code length} chars would become a piece of {@code score}. */
    private record Candidate(float score, int left, int right, int length) {}

    /** The symbols after every merge, as strings, left to right. */
    private List<String> merge(String text) {
        int n = 0;
        int[] start = new int[text.length() + 1];
        int[] end = new int[text.length() + 1];
        boolean[] frozen = new boolean[text.length() + 1];
        for (int i = 0; i < text.length(); ) {
            String user = userDefinedAt(text, i);
            int length = user != null ? user.length() : Character.charCount(text.codePointAt(i));
            start[n] = i;
            end[n] = i + length;
            frozen[n] = user != null;
            n++;
            i += length;
        }
        int[] previous = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            previous[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        boolean[] alive = new boolean[n];
        java.util.Arrays.fill(alive, true);
        PriorityQueue<Candidate> agenda = new PriorityQueue<>(Comparator.comparingDouble((Candidate c) -> -c.score()).thenComparingInt(Candidate::left));
        Map<String, String[]> unusedSplits = new HashMap<>();
        for (int i = 0; i + 1 < n; i++) consider(text, i, i + 1, start, end, frozen, agenda);
        while (!agenda.isEmpty()) {
            Candidate top = agenda.poll();
            int left = top.left();
            int right = top.right();
            if (!alive[left] || !alive[right] || next[left] != right || end[right] - start[left] != top.length()) continue;
            String merged = text.substring(start[left], end[right]);
            int id = mergeable.get(merged);
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

    private void consider(String text, int left, int right, int[] start, int[] end, boolean[] frozen, PriorityQueue<Candidate> agenda) {
        if (frozen[left] || frozen[right]) return;
        Integer id = mergeable.get(text.substring(start[left], end[right]));
        if (id == null) return;
        agenda.add(new Candidate(model.pieces().get(id).score(), left, right, end[right] - start[left]));
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
