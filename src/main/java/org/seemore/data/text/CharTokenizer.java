package org.seemore.data.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;
import org.seemore.UserException;
import org.seemore.data.Example;

/**
 * A character-level tokenizer, as in the original seemore and makemore: ids 0 to 3 are the special tokens
 * {@code <pad>}, {@code <bos>}, {@code <eos>} and {@code <unk>}, then one id per distinct Unicode code point
 * of the training text, in code point order. Code points, not Java chars: a character outside the Basic
 * Multilingual Plane (an emoji) is one token. Unpaired surrogates never enter the vocabulary.
 *
 * <p>Encoding maps a character the vocabulary lacks to {@code <unk>} and counts it, so that the caller can
 * print one warning ({@link #unknownCount()}); that counter is the only mutable state, and is thread-safe.
 * Decoding skips the special tokens unless asked to keep them.
 *
 * <p>Saved as JSON ({@code tokenizer.json}):
 * {@code {"format": "seemore-char-tokenizer", "version": 1, "specials": ["<pad>", ...], "symbols": ["\n", " ", ...]}}.
 */
public final class CharTokenizer implements Tokenizer {
    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    public static final int UNK = 3;
    /** The special tokens' names, indexed by id. */
    public static final List<String> SPECIALS = List.of("<pad>", "<bos>", "<eos>", "<unk>");

    static final String FORMAT = "seemore-char-tokenizer";
    static final int VERSION = 1;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The vocabulary's code points, strictly increasing; code point {@code codePoints[i]} has id {@code SPECIALS.size() + i}. */
    private final int[] codePoints;
    private final LongAdder unknown = new LongAdder();

    private CharTokenizer(int[] codePoints) {
        this.codePoints = codePoints;
    }

    /** The tokenizer whose vocabulary is every code point in {@code texts}. */
    public static CharTokenizer build(Iterable<String> texts) {
        TreeSet<Integer> seen = new TreeSet<>();
        for (String text : texts) {
            text.codePoints().filter(c -> !isSurrogate(c)).forEach(seen::add);
        }
        if (seen.isEmpty()) throw new IllegalArgumentException("the training texts hold no characters");
        return new CharTokenizer(seen.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The tokenizer for the prompts and answers of {@code examples}. */
    public static CharTokenizer forExamples(List<Example> examples) {
        List<String> texts = new ArrayList<>(2 * examples.size());
        for (Example example : examples) {
            texts.add(example.prompt());
            texts.add(example.answer());
        }
        return build(texts);
    }

    /** The number of ids: the specials plus the characters. */
    @Override
    public int vocabSize() {
        return SPECIALS.size() + codePoints.length;
    }

    /**
     * The id of each code point of {@code text}; characters outside the vocabulary become {@link #UNK}, counted.
     * The text of a special token ({@code <bos>}) is ordinary characters here.
     */
    @Override
    public int[] encode(String text) {
        int[] ids = new int[text.codePointCount(0, text.length())];
        int n = 0;
        long unknownHere = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            i += Character.charCount(codePoint);
            int index = Arrays.binarySearch(codePoints, codePoint);
            if (index >= 0) {
                ids[n++] = SPECIALS.size() + index;
            } else {
                ids[n++] = UNK;
                unknownHere++;
            }
        }
        if (unknownHere > 0) unknown.add(unknownHere);
        return ids;
    }

    /** {@link #encode(String)}, with {@link #BOS} first when {@code addSpecialTokens} is set (a prompt as seemore frames it). */
    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        int[] ids = encode(text);
        if (!addSpecialTokens) return ids;
        int[] framed = new int[ids.length + 1];
        framed[0] = BOS;
        System.arraycopy(ids, 0, framed, 1, ids.length);
        return framed;
    }

    /** How many characters {@link #encode} has mapped to {@link #UNK} since this tokenizer was made. */
    public long unknownCount() {
        return unknown.sum();
    }

    /**
     * The text of {@code ids}, skipping special tokens ({@code <pad>}, {@code <bos>}, {@code <eos>},
     * {@code <unk>}): a generator that should stop at {@code <eos>} stops before decoding.
     *
     * @throws IllegalArgumentException for an id outside {@code [0, vocabSize())}
     */
    @Override
    public String decode(int[] ids) {
        return decode(ids, true);
    }

    /** The text of {@code ids}; with {@code skipSpecialTokens} false a special token is written as its name ({@code <eos>}). */
    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder text = new StringBuilder(ids.length);
        for (int id : ids) {
            checkId(id);
            if (id >= SPECIALS.size()) {
                text.appendCodePoint(codePoints[id - SPECIALS.size()]);
            } else if (!skipSpecialTokens) {
                text.append(SPECIALS.get(id));
            }
        }
        return text.toString();
    }

    /** The token an id stands for: a special token's name, or its character. */
    public String symbol(int id) {
        checkId(id);
        return id < SPECIALS.size() ? SPECIALS.get(id) : Character.toString(codePoints[id - SPECIALS.size()]);
    }

    /** The same as {@link #symbol}. */
    @Override
    public String token(int id) {
        return symbol(id);
    }

    /** The id of a special token's name or of a single character in the vocabulary. */
    @Override
    public OptionalInt id(String token) {
        int special = SPECIALS.indexOf(token);
        if (special >= 0) return OptionalInt.of(special);
        if (token.isEmpty() || token.codePointCount(0, token.length()) != 1) return OptionalInt.empty();
        int index = Arrays.binarySearch(codePoints, token.codePointAt(0));
        return index >= 0 ? OptionalInt.of(SPECIALS.size() + index) : OptionalInt.empty();
    }

    @Override
    public boolean isSpecial(int id) {
        checkId(id);
        return id < SPECIALS.size();
    }

    @Override
    public OptionalInt bosId() {
        return OptionalInt.of(BOS);
    }

    @Override
    public OptionalInt eosId() {
        return OptionalInt.of(EOS);
    }

    @Override
    public OptionalInt padId() {
        return OptionalInt.of(PAD);
    }

    @Override
    public OptionalInt unkId() {
        return OptionalInt.of(UNK);
    }

    private void checkId(int id) {
        Tokenizer.checkId(id, vocabSize());
    }

    /** Writes the vocabulary to {@code file} as JSON (see the class comment). */
    public void save(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode specials = root.putArray("specials");
        SPECIALS.forEach(specials::add);
        ArrayNode symbols = root.putArray("symbols");
        for (int codePoint : codePoints) symbols.add(Character.toString(codePoint));
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    /** Reads a tokenizer saved by {@link #save}; a missing or corrupt file is a {@link UserException} naming it. */
    public static CharTokenizer load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new UserException("tokenizer file not found: " + file);
        } catch (JsonProcessingException e) {
            throw corrupt(file, "malformed JSON at line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()));
        } catch (IOException e) {
            throw new UserException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw corrupt(file, "expected a JSON object");
        if (!FORMAT.equals(root.path("format").asText(null))) throw corrupt(file, "'format' is not \"" + FORMAT + "\"");
        if (root.path("version").asInt(-1) != VERSION || !root.path("version").isInt()) {
            throw corrupt(file, "unsupported 'version' " + root.get("version") + " (this build reads version " + VERSION + ")");
        }
        List<String> specials = new ArrayList<>();
        root.path("specials").forEach(node -> specials.add(node.asText()));
        if (!SPECIALS.equals(specials)) throw corrupt(file, "'specials' must be " + SPECIALS);
        JsonNode symbols = root.get("symbols");
        if (symbols == null || !symbols.isArray() || symbols.isEmpty()) throw corrupt(file, "'symbols' must be a non-empty list");
        int[] codePoints = new int[symbols.size()];
        for (int i = 0; i < codePoints.length; i++) {
            JsonNode symbol = symbols.get(i);
            String text = symbol.isTextual() ? symbol.textValue() : "";
            if (text.isEmpty() || text.codePointCount(0, text.length()) != 1 || isSurrogate(text.codePointAt(0))) {
                throw corrupt(file, "symbol " + i + " (" + symbol + ") is not a single character");
            }
            codePoints[i] = text.codePointAt(0);
            if (i > 0 && codePoints[i] <= codePoints[i - 1]) {
                throw corrupt(file, "symbols must be distinct and in code point order, but symbol " + i + " (" + symbol
                        + ") is not after symbol " + (i - 1));
            }
        }
        return new CharTokenizer(codePoints);
    }

    private static UserException corrupt(Path file, String reason) {
        return new UserException("tokenizer file " + file + " is corrupt: " + reason);
    }

    private static boolean isSurrogate(int codePoint) {
        return codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE;
    }

    /** Two tokenizers are equal when their vocabularies are; the unknown-character count is not compared. */
    @Override
    public boolean equals(Object other) {
        return other instanceof CharTokenizer that && Arrays.equals(codePoints, that.codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }

    @Override
    public String toString() {
        return "CharTokenizer(vocabSize=" + vocabSize() + ")";
    }
}
