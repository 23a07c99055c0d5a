package org.seemore.data.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seemore.UserException;
import org.seemore.data.Example;

/**
 * A plain-text corpus (e.g. tinyshakespeare's {@code input.txt}) for decoder-only language-model training:
 * the whole text, from which the trainer samples windows of tokens. The text is kept exactly as in the
 * file (line endings included), without a leading byte-order mark.
 *
 * @param origin the file the text came from, for messages
 */
public record TextCorpus(String origin, String text) {
    public TextCorpus {
        if (text.isEmpty()) throw new IllegalArgumentException(origin + ": the text is empty");
    }

    /** The validation tail and training head of a corpus. */
    public record Split(TextCorpus train, TextCorpus validation) {}

    /** Reads {@code file} as strict UTF-8; a missing, empty or non-UTF-8 file is a {@link UserException}. */
    public static TextCorpus read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserException("text file not found: " + file);
        } catch (IOException e) {
            throw new UserException("cannot read text file " + file + ": " + e.getMessage());
        }
        long badLine = Utf8.firstMalformedLine(bytes);
        if (badLine > 0) throw new UserException(file + ":" + badLine + ": not valid UTF-8 text");
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        if (text.isEmpty()) throw new UserException(file + ": the text file is empty");
        return new TextCorpus(file.toString(), text);
    }

    /** The number of code points (characters, counting one per Unicode code point). */
    public int codePointCount() {
        return text.codePointCount(0, text.length());
    }

    /**
     * The text cut into consecutive chunks of {@code length} code points (the last may be shorter), as
     * text-only examples: no image, no prompt, the chunk as the answer. Each origin names the line the
     * chunk starts on.
     */
    public List<Example> chunks(int length) {
        if (length <= 0) throw new IllegalArgumentException("chunk length must be positive, got " + length);
        List<Example> examples = new ArrayList<>();
        long line = 1;
        int start = 0;
        while (start < text.length()) {
            int end = start;
            for (int count = 0; count < length && end < text.length(); count++) {
                end += Character.charCount(text.codePointAt(end));
            }
            examples.add(Example.caption(origin + ":" + line, null, text.substring(start, end)));
            for (int i = start; i < end; i++) if (text.charAt(i) == '\n') line++;
            start = end;
        }
        return examples;
    }

    /**
     * The first {@code 1 - fraction} of the text for training and the rest for validation, as nanoGPT
     * splits tinyshakespeare (90% / 10%). The cut never splits a code point; both parts are non-empty.
     */
    public Split holdOutTail(double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("the held-out fraction must be in (0, 1), got " + fraction);
        }
        int codePoints = codePointCount();
        if (codePoints < 2) throw new IllegalArgumentException(origin + ": too short to split (" + codePoints + " character)");
        int trainCodePoints = (int) Math.round(codePoints * (1 - fraction));
        trainCodePoints = Math.clamp(trainCodePoints, 1, codePoints - 1);
        int cut = text.offsetByCodePoints(0, trainCodePoints);
        return new Split(new TextCorpus(origin, text.substring(0, cut)), new TextCorpus(origin, text.substring(cut)));
    }
}
