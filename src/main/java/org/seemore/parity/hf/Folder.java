package org.seemore.parity.hf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.seemore.UserException;
import org.seemore.model.hf.Architecture;
import org.seemore.model.hf.HfModelConfig;

/**
 * A folder given to {@code seemore parity}, with its config.json read when it has one (a model
 * folder), so that kinds can be chosen by architecture.
 */
public record Folder(Path path, Optional<HfModelConfig> config) {
    public static final String REFERENCE = "reference.safetensors";

    /** Reads {@code path}'s config.json if there is one; an unreadable or unsupported config is a one-line error. */
    public static Folder at(Path path) {
        boolean model = Files.isRegularFile(path.resolve(HfModelConfig.FILE));
        return new Folder(path, model ? Optional.of(HfModelConfig.read(path)) : Optional.empty());
    }

    /** The architecture config.json names, if this is a model folder. */
    public Optional<Architecture> architecture() {
        return config.map(HfModelConfig::architecture);
    }

    public boolean has(String file) {
        return Files.isRegularFile(path.resolve(file));
    }

    /** {@code file} inside the folder; a missing one is an error naming it and saying why it is needed. */
    public Path require(String file, String why) {
        Path p = path.resolve(file);
        if (!Files.isRegularFile(p)) throw new UserException(p + ": missing (" + why + ")");
        return p;
    }
}
