package org.seemore.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.seemore.UserException;

/** Writes a command's JSON report (a report file may be overwritten: it is the command's own output). */
final class JsonReport {
    private JsonReport() {}

    /** Fails early (before a long measurement) when the report could not be written. */
    static void checkWritable(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new UserException("--json " + file + ": directory " + parent + " does not exist");
        if (Files.isDirectory(file)) throw new UserException("--json " + file + ": is a directory, expected a file name");
    }

    static void write(Path file, Object value) {
        checkWritable(file);
        try {
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), value);
        } catch (IOException e) {
            throw new UserException("--json " + file + ": cannot write: " + e.getMessage());
        }
    }
}
