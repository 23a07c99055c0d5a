package org.seemore.spark;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.seemore.model.ModelDirectory;

/**
 * The models an executor JVM has loaded, keyed by model directory: a task asks here instead of loading,
 * so a model is read once per executor, not once per record or partition.
 */
public final class ModelCache {
    private static final ConcurrentHashMap<String, ModelDirectory.Loaded> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ModelCache() {}

    /** The model in {@code dir}, loaded on first use in this JVM. */
    public static ModelDirectory.Loaded get(String dir) {
        return MODELS.computeIfAbsent(Path.of(dir).toAbsolutePath().normalize().toString(), key -> {
            LOADS.incrementAndGet();
            return ModelDirectory.load(Path.of(key));
        });
    }

    /** How many times this JVM loaded a model (tests check it is once per model). */
    public static int loads() { return LOADS.get(); }
}
