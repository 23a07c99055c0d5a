package org.seemore.parity.hf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.Tokenizers;
import org.seemore.data.text.hf.HfTokenizer;
import org.seemore.data.text.sentencepiece.SentencePieceTokenizer;
import org.seemore.parity.ParityReport;

/**
 * A tokenizer folder ({@code tokenizer-cases.jsonl} beside the tokenizer's files): every case's
 * {@code ids} ({@code encode(text)} with the tokenizer's framing), {@code tokens}, {@code decoded}
 * and, where present, {@code decoded_skip_special}, exactly. The cases are transformers' slow
 * tokenizer's output, so a folder with a SentencePiece {@code tokenizer.model} is read through it;
 * its {@code tokenizer.json} (the fast tokenizer's file, whose decoder chain writes other text, as
 * the fixtures' README explains) is then checked on ids and tokens.
 */
public final class TokenizerFolderParity implements FolderParity {
    static final String CASES = "tokenizer-cases.jsonl";

    @Override
    public String kind() {
        return "tokenizer";
    }

    @Override
    public boolean accepts(Folder folder) {
        return folder.config().isEmpty() && folder.has(CASES);
    }

    @Override
    public ParityReport run(Folder folder) {
        CaseFile cases = CaseFile.read(folder.path().resolve(CASES));
        boolean sentencePiece = folder.has(SentencePieceTokenizer.FILE);
        Tokenizer tokenizer = sentencePiece ? SentencePieceTokenizer.load(folder.path()) : Tokenizers.load(folder.path());
        String source = sentencePiece ? SentencePieceTokenizer.FILE : tokenizer instanceof HfTokenizer && folder.has(HfTokenizer.FILE) ? HfTokenizer.FILE : "vocab.json + merges.txt";
        ParityReport report = new ParityReport(folder.path(), "tokenizer, " + source);
        check(tokenizer, cases, true).forEach((field, failures) -> report.cases(field, cases.cases().size(), failures));
        if (sentencePiece && folder.has(HfTokenizer.FILE)) {
            check(Tokenizers.load(folder.path()), cases, false).forEach((field, failures) -> report.cases(HfTokenizer.FILE + " " + field, cases.cases().size(), failures));
        }
        return report;
    }

    /**
     * The cases that {@code tokenizer} gets wrong, by field ({@code ids}, {@code tokens}, and with
     * {@code decoding} also {@code decoded} and {@code decoded_skip_special} where the cases hold them),
     * each described by its line and what the tokenizer gave.
     */
    public static Map<String, List<String>> check(Tokenizer tokenizer, CaseFile cases, boolean decoding) {
        Map<String, List<String>> failures = new LinkedHashMap<>();
        for (String field : List.of("ids", "tokens", "decoded", "decoded_skip_special")) {
            boolean present = cases.cases().getFirst().has(field);
            if (present && (decoding || !field.startsWith("decoded"))) failures.put(field, new ArrayList<>());
        }
        if (!failures.containsKey("ids")) throw cases.cases().getFirst().error("no \"ids\" (a tokenizer case holds text and ids)");
        for (CaseFile.Case c : cases.cases()) {
            String text = c.text("text");
            int[] expected = c.ints("ids");
            for (int id : expected) if (id < 0 || id >= tokenizer.vocabSize()) throw c.error("id " + id + " is outside the vocabulary [0, " + tokenizer.vocabSize() + ")");
            int[] ids = tokenizer.encode(text, true);
            if (!Arrays.equals(ids, expected)) failures.get("ids").add(c.label() + " gives " + Arrays.toString(ids));
            if (failures.containsKey("tokens") && !tokenizer.tokens(expected).equals(c.strings("tokens"))) {
                failures.get("tokens").add(c.label() + " gives " + tokenizer.tokens(expected));
            }
            if (failures.containsKey("decoded")) compare(failures.get("decoded"), c, "decoded", tokenizer.decode(expected, false));
            if (failures.containsKey("decoded_skip_special")) compare(failures.get("decoded_skip_special"), c, "decoded_skip_special", tokenizer.decode(expected, true));
        }
        return failures;
    }

    private static void compare(List<String> failures, CaseFile.Case c, String field, String actual) {
        if (!actual.equals(c.text(field))) failures.add(c.label() + " gives " + CaseFile.JSON.valueToTree(actual));
    }
}
