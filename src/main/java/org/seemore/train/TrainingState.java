package org.seemore.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.seemore.UserException;
import org.seemore.io.Safetensors;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;
import org.seemore.tensor.Rng;

/**
 * What a run needs beyond the weights to continue exactly where it stopped: the optimizer's
 * moments and step, the number of batches consumed (which fixes the data order), and the state of
 * the generator that draws dropout masks and routing noise. Stored as
 * {@code training-state-<step>.safetensors} beside {@code model.safetensors}; it is written before
 * the weights, and the previous one is deleted only after both are in place, so an interrupted
 * checkpoint leaves the earlier pair intact.
 */
public final class TrainingState {
    private static final String PREFIX = "training-state-";

    private TrainingState() {}

    public static Path file(Path runDir, long step) {
        return runDir.resolve(PREFIX + step + ".safetensors");
    }

    /** Whether {@code name} is a training state's file name. */
    public static boolean isStateFile(String name) {
        return name.startsWith(PREFIX) && name.endsWith(".safetensors")
                && name.substring(PREFIX.length(), name.length() - ".safetensors".length()).matches("[0-9]+");
    }

    public static void write(Path runDir, long step, long batches, AdamW optimizer, Rng rng) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("step", Long.toString(step));
        meta.put("batches", Long.toString(batches));
        meta.put("optimizer_steps", Long.toString(optimizer.stepCount()));
        long[] r = rng.state();
        meta.put("rng", r[0] + "," + r[1] + "," + r[2]);
        List<StoredTensor> tensors = new ArrayList<>();
        for (int i = 0; i < optimizer.names().size(); i++) {
            String n = optimizer.names().get(i);
            float[] m = optimizer.firstMoments().get(i), v = optimizer.secondMoments().get(i);
            tensors.add(StoredTensor.ofFloats("m." + n, new int[] {m.length}, m));
            tensors.add(StoredTensor.ofFloats("v." + n, new int[] {v.length}, v));
        }
        Safetensors.writeAtomically(file(runDir, step), meta, tensors);
    }

    /** Deletes the states of steps other than {@code keep}. */
    public static void prune(Path runDir, long keep) {
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(PREFIX) && name.endsWith(".safetensors") && !p.equals(file(runDir, keep))) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UserException(runDir + ": cannot clean old training states: " + e.getMessage());
        }
    }

    /** Restores optimizer and generator; returns the number of batches consumed. */
    public static long restore(Path runDir, long step, AdamW optimizer, Rng rng) {
        Path path = file(runDir, step);
        if (!Files.isRegularFile(path)) {
            throw new UserException(path + ": missing, so the run cannot resume from step " + step + " (the checkpoint has weights only)");
        }
        SafetensorsFile f = SafetensorsFile.read(path);
        List<float[]> m = new ArrayList<>(), v = new ArrayList<>();
        for (String n : optimizer.names()) {
            if (!f.contains("m." + n)) throw new UserException(path + ": no optimizer state for " + n + " (was the run trained with another --stage?)");
            m.add(f.floats("m." + n));
            v.add(f.floats("v." + n));
        }
        optimizer.restore(Long.parseLong(f.metadata().get("optimizer_steps")), m, v);
        String[] r = f.metadata().get("rng").split(",");
        rng.restore(new long[] {Long.parseLong(r[0]), Long.parseLong(r[1]), Long.parseLong(r[2])});
        return Long.parseLong(f.metadata().get("batches"));
    }
}
