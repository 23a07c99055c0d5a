package org.seemore.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.seemore.UserException;
import org.seemore.model.ModelDirectory;

/** The rule that protects earlier work: a run directory is only reused with --resume or --force. */
final class RunDirectories {
    private RunDirectories() {}

    static void prepare(Path dir, boolean resume, boolean force) {
        boolean nonEmpty = Files.isDirectory(dir) && !isEmpty(dir);
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new UserException("--out " + dir + ": exists and is not a directory");
        if (resume) {
            if (!ModelDirectory.isModelDirectory(dir)) throw new UserException("--resume: " + dir + " holds no checkpoint to resume from");
            return;
        }
        if (nonEmpty && !force) {
            throw new UserException("--out " + dir + ": already exists and is not empty; use --resume to continue it or --force to overwrite it");
        }
        try {
            if (nonEmpty) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        if (Files.isRegularFile(p)) Files.delete(p);
                    }
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserException("--out " + dir + ": " + e.getMessage());
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UserException(dir + ": cannot read: " + e.getMessage());
        }
    }
}
