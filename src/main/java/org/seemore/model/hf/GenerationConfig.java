package org.seemore.model.hf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The token ids of {@code generation_config.json} that {@code generate} uses: the BOS to start with,
 * the EOS ids to stop at (Llama 3 instruct models list several) and the pad id.
 */
public record GenerationConfig(OptionalInt bosTokenId, List<Integer> eosTokenIds, OptionalInt padTokenId) {
    public static final String FILE = "generation_config.json";

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Reads {@code directory}'s generation_config.json; empty when the directory has none. */
    public static Optional<GenerationConfig> read(Path directory) {
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) return Optional.empty();
        ConfigJson json = ConfigJson.read(file);
        return Optional.of(new GenerationConfig(single(json, "bos_token_id"), json.tokenIds("eos_token_id", List.of()),
                single(json, "pad_token_id")));
    }

    private static OptionalInt single(ConfigJson json, String key) {
        List<Integer> ids = json.tokenIds(key, List.of());
        if (ids.size() > 1) throw json.error(key, "expected one token id, got " + ids);
        return ids.isEmpty() ? OptionalInt.empty() : OptionalInt.of(ids.getFirst());
    }
}
