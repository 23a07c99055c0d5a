package org.seemore.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.seemore.UserException;
import org.seemore.io.StoredTensor;
import org.seemore.tensor.Tensor;

/** Copying parameters between a model and stored tensors, with every mismatch reported at once. */
public final class ModelWeights {
    private ModelWeights() {}

    /**
     * Loads every parameter whose checkpoint name, after {@code prefix}, is one of the model's.
     *
     * @param source  the file's name for messages
     * @param lookup  stored tensor by full name, or null when absent
     * @param names   the stored names available
     * @param only    a filter on parameter names (e.g. one component); the rest are left alone
     */
    public static int load(Map<String, Tensor> params, String source, String prefix, List<String> names,
                           Function<String, StoredTensor> lookup, java.util.function.Predicate<String> only) {
        List<String> problems = new ArrayList<>();
        int loaded = 0;
        for (var e : params.entrySet()) {
            if (!only.test(e.getKey())) continue;
            StoredTensor st = lookup.apply(prefix + e.getKey());
            if (st == null) {
                problems.add("missing " + prefix + e.getKey() + " " + Arrays.toString(e.getValue().shape()));
                continue;
            }
            if (!Arrays.equals(st.shape(), e.getValue().shape())) {
                problems.add(prefix + e.getKey() + " has shape " + Arrays.toString(st.shape()) + ", the config needs " + Arrays.toString(e.getValue().shape()));
                continue;
            }
            float[] v = st.toFloats();
            Tensor t = e.getValue();
            System.arraycopy(v, 0, t.data(), t.offset(), v.length);
            loaded++;
        }
        for (String n : names) {
            if (n.startsWith(prefix) && !params.containsKey(n.substring(prefix.length())) && only.test(n.substring(prefix.length()))) {
                problems.add("unexpected " + n);
            }
        }
        if (!problems.isEmpty()) {
            throw new UserException(source + ": weights do not match the model config (" + problems.size() + " problems): "
                    + String.join("; ", problems.subList(0, Math.min(problems.size(), 12)))
                    + (problems.size() > 12 ? "; ..." : ""));
        }
        return loaded;
    }

    /** The parameters as F32 stored tensors named {@code prefix + name}. */
    public static List<StoredTensor> toStored(Map<String, Tensor> params, String prefix) {
        List<StoredTensor> out = new ArrayList<>();
        params.forEach((name, t) -> out.add(StoredTensor.ofFloats(prefix + name, t.shape(), t.toArray())));
        return out;
    }
}
