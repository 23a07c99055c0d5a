package org.seemore.model.hf;

import org.seemore.UserException;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.io.StoredTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors a checkpoint of one config must hold, by Hugging Face name and shape, and the names it
 * may hold besides: {@code optional} ones (used if present, such as an {@code lm_head.weight} a tied
 * checkpoint stores anyway) and {@code ignored} ones (buffers older transformers saved, such as
 * {@code rotary_emb.inv_freq}, and the text tower of a CLIP or SigLIP dual encoder).
 *
 * @param ignoredPrefixes names that start with one of these are not weights seemore reads
 * @param ignoredSuffixes names that end with one of these are saved buffers, not weights
 */
public record TensorLayout(List<TensorSpec> tensors, List<TensorSpec> optional, List<String> ignoredPrefixes, List<String> ignoredSuffixes) {
    public TensorLayout {
        tensors = List.copyOf(tensors);
        optional = List.copyOf(optional);
        ignoredPrefixes = List.copyOf(ignoredPrefixes);
        ignoredSuffixes = List.copyOf(ignoredSuffixes);
    }

    /** The required tensors by name, in layout order. */
    public Map<String, TensorSpec> byName() {
        Map<String, TensorSpec> out = new LinkedHashMap<>();
        for (TensorSpec spec : tensors) out.put(spec.name(), spec);
        return out;
    }

    /** True when {@code name} is neither required nor optional but may be present and is not read. */
    public boolean isIgnored(String name) {
        return ignoredPrefixes.stream().anyMatch(name::startsWith) || ignoredSuffixes.stream().anyMatch(name::endsWith);
    }

    /**
     * Compares {@code checkpoint} with this layout and throws one {@link UserException} line listing
     * every missing tensor, every tensor of the wrong shape or a non-float type, and every unexpected
     * tensor; {@code what} says which config the layout comes from.
     */
    public void check(SafetensorsCheckpoint checkpoint, String what) {
        Map<String, TensorSpec> expected = byName();
        for (TensorSpec spec : optional) expected.put(spec.name(), spec);
        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (TensorSpec spec : tensors) if (!checkpoint.contains(spec.name())) missing.add(spec.name());
        for (String name : checkpoint.names()) {
            TensorSpec spec = expected.get(name);
            if (spec == null) {
                if (!isIgnored(name)) unexpected.add(name);
                continue;
            }
            StoredTensor stored = checkpoint.get(name);
            if (!Arrays.equals(stored.shape(), spec.shape())) {
                wrong.add(name + " is " + Arrays.toString(stored.shape()) + ", expected " + Arrays.toString(spec.shape()));
            } else if (!stored.dtype().isFloat()) {
                wrong.add(name + " is " + stored.dtype() + ", expected F32, BF16 or F16");
            }
        }
        if (missing.isEmpty() && wrong.isEmpty() && unexpected.isEmpty()) return;
        StringBuilder message = new StringBuilder(checkpoint.directory() + ": the weights do not match " + what);
        append(message, "missing", missing);
        append(message, "wrong", wrong);
        append(message, "unexpected", unexpected);
        throw new UserException(message.toString());
    }

    private static void append(StringBuilder message, String kind, List<String> items) {
        if (items.isEmpty()) return;
        message.append("; ").append(items.size()).append(' ').append(kind).append(": ").append(String.join(", ", items));
    }
}
