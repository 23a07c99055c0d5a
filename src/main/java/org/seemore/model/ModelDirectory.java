package org.seemore.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.seemore.UserException;
import org.seemore.data.text.CharTokenizer;
import org.seemore.io.Safetensors;
import org.seemore.io.SafetensorsFile;

/**
 * A model on disk: {@code config.json} (the reference's config names), {@code tokenizer.json} and
 * {@code model.safetensors} (the reference's parameter names, so a PyTorch checkpoint with these
 * names loads). Every file is written atomically: a crash mid-write leaves the previous one intact.
 */
public final class ModelDirectory {
    public static final String CONFIG = "config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String WEIGHTS = "model.safetensors";

    private ModelDirectory() {}

    /** A loaded model and its tokenizer; {@code step} is the training step its weights are from (or -1). */
    public record Loaded(Vlm model, CharTokenizer tokenizer, long step) {}

    public static boolean isModelDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG)) && Files.isRegularFile(dir.resolve(WEIGHTS)) && Files.isRegularFile(dir.resolve(TOKENIZER));
    }

    /**
     * True when {@code dir}'s config.json names a Hugging Face model class ({@code architectures} or
     * {@code model_type}); seemore's own config.json has neither. A missing or unreadable config.json
     * is not one (the loader then says what is wrong with it).
     */
    public static boolean isHuggingFace(Path dir) {
        Path config = dir.resolve(CONFIG);
        if (!Files.isRegularFile(config)) return false;
        try {
            com.fasterxml.jackson.databind.JsonNode json = org.seemore.data.text.TokenizerConfig.readJson(config);
            return json.has("architectures") || json.has("model_type");
        } catch (UserException e) {
            return false;
        }
    }

    public static void writeConfig(Path dir, VlmConfig config, CharTokenizer tokenizer) {
        writeAtomically(dir.resolve(CONFIG), config.toJson());
        Path tmp = dir.resolve(TOKENIZER + ".tmp");
        try {
            tokenizer.save(tmp);
            Files.move(tmp, dir.resolve(TOKENIZER), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UserException(dir.resolve(TOKENIZER) + ": cannot write: " + e.getMessage());
        }
    }

    public static void writeWeights(Path dir, Vlm model, long step) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "seemore");
        meta.put("step", Long.toString(step));
        meta.put("config", model.config().toJson().replaceAll("\\s+", ""));
        Safetensors.writeAtomically(dir.resolve(WEIGHTS), meta, ModelWeights.toStored(model.parameters(), ""));
    }

    /** Saves config, tokenizer and weights. */
    public static void save(Path dir, Vlm model, CharTokenizer tokenizer, long step) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserException(dir + ": cannot create directory: " + e.getMessage());
        }
        writeConfig(dir, model.config(), tokenizer);
        writeWeights(dir, model, step);
    }

    public static VlmConfig readConfig(Path dir) {
        Path file = dir.resolve(CONFIG);
        try {
            return VlmConfig.fromJson(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UserException(file + ": " + e.getMessage());
        }
    }

    public static Loaded load(Path dir) {
        if (Files.isRegularFile(dir)) throw new UserException(aFileNotADirectory(dir));
        if (!Files.isDirectory(dir)) throw new UserException(dir + ": no such model directory");
        if (isHuggingFace(dir)) {
            throw new UserException(dir + ": a Hugging Face checkpoint, which this command does not read (seemore caption, eval, chat and serve do)");
        }
        if (!isModelDirectory(dir)) {
            throw new UserException(dir + ": not a model directory (needs " + CONFIG + ", " + TOKENIZER + " and " + WEIGHTS + "; train one with 'seemore train')");
        }
        VlmConfig config = readConfig(dir);
        CharTokenizer tokenizer = CharTokenizer.load(dir.resolve(TOKENIZER));
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new UserException(dir.resolve(TOKENIZER) + ": " + tokenizer.vocabSize() + " symbols, but " + CONFIG + " says vocab_size " + config.vocabSize());
        }
        Vlm model = new Vlm(config, 0);
        long step = loadWeights(dir.resolve(WEIGHTS), model, n -> true);
        return new Loaded(model, tokenizer, step);
    }

    /** What to say when a model directory is asked for and a file is given: often one of the directory's own files. */
    private static String aFileNotADirectory(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        Path parent = file.getParent() == null ? Path.of(".") : file.getParent();
        boolean ours = name.equals(CONFIG) || name.equals(TOKENIZER) || name.equals(WEIGHTS);
        return file + ": a file, not a model directory (a model directory holds " + CONFIG + ", " + TOKENIZER + " and " + WEIGHTS
                + (ours ? "; give its directory " + parent : ", as 'seemore train --out DIR' writes") + ")";
    }

    /** Loads the parameters selected by {@code only} from a weights file; returns its step (or -1). */
    public static long loadWeights(Path file, Vlm model, Predicate<String> only) {
        SafetensorsFile st = SafetensorsFile.read(file);
        ModelWeights.load(model.parameters(), file.toString(), "", st.names(), n -> st.contains(n) ? st.get(n) : null, only);
        String step = st.metadata().get("step");
        try {
            return step == null ? -1 : Long.parseLong(step);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void writeAtomically(Path file, String text) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UserException(file + ": cannot write: " + e.getMessage());
        }
    }
}
