package org.seemore.cli;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.seemore.UserException;
import org.seemore.data.DataSource;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ModelDirectory;

/** Small helpers shared by the commands. */
final class CliSupport {
    private CliSupport() {}

    /** Runs a validation that throws IllegalArgumentException and turns it into a one-line user error naming the flag. */
    static <T> T parse(String flag, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new UserException(m.startsWith("--") ? m : flag + ": " + m);
        }
    }

    static void reportSkipped(String spec, DataSource.Loaded loaded) {
        if (loaded.skipped() > 0) {
            System.err.println("seemore: skipped " + loaded.skipped() + " bad records in " + spec
                    + (loaded.skippedReasons().isEmpty() ? "" : " (first: " + loaded.skippedReasons().get(0) + ")"));
        }
    }

    static CharTokenizer tokenizerOf(Path modelDir) {
        Path file = modelDir.resolve(ModelDirectory.TOKENIZER);
        if (!java.nio.file.Files.isRegularFile(file)) throw new UserException(modelDir + ": not a model directory (no " + ModelDirectory.TOKENIZER + ")");
        return CharTokenizer.load(file);
    }

    /** 20300354 -> "20.3M". */
    static String count(long n) {
        if (n >= 1_000_000) return String.format(java.util.Locale.ROOT, "%.1fM", n / 1e6);
        if (n >= 1_000) return String.format(java.util.Locale.ROOT, "%.1fK", n / 1e3);
        return Long.toString(n);
    }
}
