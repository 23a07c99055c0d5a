package org.seemore.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seemore.UserException;
import org.seemore.io.Safetensors;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;

/**
 * DiLoCo's optimizer state in a run directory, beside the core's training state: the driver's outer
 * Nesterov momentum ({@value #OUTER}) and every worker's inner AdamW ({@value #INNER}), written at each
 * checkpoint so that {@code --resume} continues exactly where the run stopped.
 */
final class DiLoCoState {
    static final String OUTER = "outer-momentum.safetensors";
    static final String INNER = "inner-optimizers.safetensors";

    private DiLoCoState() {}

    static void writeOuter(Path runDir, long step, List<float[]> momentum) {
        List<StoredTensor> tensors = new ArrayList<>();
        for (int i = 0; i < momentum.size(); i++) tensors.add(StoredTensor.ofFloats("m" + i, new int[] {momentum.get(i).length}, momentum.get(i)));
        Safetensors.writeAtomically(runDir.resolve(OUTER), Map.of("step", Long.toString(step)), tensors);
    }

    static void restoreOuter(Path runDir, List<float[]> momentum) {
        Path file = runDir.resolve(OUTER);
        if (!Files.isRegularFile(file)) throw new UserException(file + ": missing; cannot resume a --sync-every run without its outer momentum");
        SafetensorsFile f = SafetensorsFile.read(file);
        for (int i = 0; i < momentum.size(); i++) System.arraycopy(f.floats("m" + i), 0, momentum.get(i), 0, momentum.get(i).length);
    }

    /** Worker w's moments as {@code w.m.i} and {@code w.v.i}, its step count in the metadata. */
    static void writeInner(Path runDir, long step, DataParallelWorker.InnerState[] states) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("step", Long.toString(step));
        meta.put("workers", Integer.toString(states.length));
        List<StoredTensor> tensors = new ArrayList<>();
        for (int w = 0; w < states.length; w++) {
            meta.put(w + ".steps", Long.toString(states[w].steps()));
            float[][] m = states[w].firstMoments(), v = states[w].secondMoments();
            for (int i = 0; i < m.length; i++) {
                tensors.add(StoredTensor.ofFloats(w + ".m." + i, new int[] {m[i].length}, m[i]));
                tensors.add(StoredTensor.ofFloats(w + ".v." + i, new int[] {v[i].length}, v[i]));
            }
        }
        Safetensors.writeAtomically(runDir.resolve(INNER), meta, tensors);
    }

    /**
     * The workers' inner states saved at {@code step}, or null when there are none for that step and
     * worker count (a run from before they were saved): the workers then start their moments afresh.
     */
    static DataParallelWorker.InnerState[] readInner(Path runDir, long step, int workers, int parameters) {
        Path file = runDir.resolve(INNER);
        if (!Files.isRegularFile(file)) return null;
        SafetensorsFile f = SafetensorsFile.read(file);
        if (!Long.toString(step).equals(f.metadata().get("step")) || !Integer.toString(workers).equals(f.metadata().get("workers"))) return null;
        DataParallelWorker.InnerState[] states = new DataParallelWorker.InnerState[workers];
        for (int w = 0; w < workers; w++) {
            float[][] m = new float[parameters][], v = new float[parameters][];
            for (int i = 0; i < parameters; i++) {
                m[i] = f.floats(w + ".m." + i);
                v[i] = f.floats(w + ".v." + i);
            }
            states[w] = new DataParallelWorker.InnerState(Long.parseLong(f.metadata(w + ".steps")), m, v);
        }
        return states;
    }
}
