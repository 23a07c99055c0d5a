package org.seemore.model.hf;

import java.util.Arrays;
import java.util.Map;
import org.seemore.UserException;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.tensor.Tensor;

/**
 * Fills a model's parameters from a checkpoint by Hugging Face name, widening BF16/F16 to float32.
 * The model code names its parameters as HF does, so loading is a copy per name; a missing tensor or
 * a wrong shape is one line naming the directory and the tensor.
 */
public final class HfWeights {
    private HfWeights() {}

    /** Copies {@code checkpoint}'s tensor of each name into the parameter of that name. */
    public static void load(Map<String, Tensor> parameters, SafetensorsCheckpoint checkpoint) {
        for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (!checkpoint.contains(name)) throw new UserException(checkpoint.directory() + ": no tensor " + name);
            int[] stored = checkpoint.get(name).shape();
            if (!Arrays.equals(stored, t.shape())) {
                throw new UserException(checkpoint.directory() + ": " + name + " is " + Arrays.toString(stored) + ", expected " + Arrays.toString(t.shape()));
            }
            float[] values = checkpoint.floats(name);
            System.arraycopy(values, 0, t.data(), t.offset(), values.length);
            checkpoint.get(name).release(); // copied: its mapped pages need not stay resident
        }
    }
}
