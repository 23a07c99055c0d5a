package org.seemore.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shapes;
import org.seemore.tensor.Tensor;

/**
 * The named parameters of a model, in creation order, with the checkpoint names of the PyTorch
 * reference ({@code decoder.blocks.0.attn.qkv.weight}). Modules create their parameters through a
 * scope ({@link #sub}) so that names follow the module tree.
 */
public final class Params {
    private final Map<String, Tensor> all;
    private final String prefix;
    private final Rng rng;

    /** A fresh, empty parameter set whose random initial values come from {@code rng}. */
    public Params(Rng rng) {
        this(new LinkedHashMap<>(), "", rng);
    }

    private Params(Map<String, Tensor> all, String prefix, Rng rng) {
        this.all = all;
        this.prefix = prefix;
        this.rng = rng;
    }

    /** The scope of a child module: names gain {@code name + "."}. */
    public Params sub(String name) {
        return new Params(all, prefix + name + ".", rng);
    }

    /** Normal(0, std) values, as GPT-2 / nanoGPT initialize weights and embeddings. */
    public Tensor normal(String name, float std, int... shape) {
        return add(name, rng.normal(Shapes.numel(shape), 0f, std), shape);
    }

    public Tensor zeros(String name, int... shape) {
        return add(name, new float[Shapes.numel(shape)], shape);
    }

    public Tensor ones(String name, int... shape) {
        return constant(name, 1f, shape);
    }

    public Tensor constant(String name, float value, int... shape) {
        float[] v = new float[Shapes.numel(shape)];
        java.util.Arrays.fill(v, value);
        return add(name, v, shape);
    }

    private Tensor add(String name, float[] values, int[] shape) {
        String full = prefix + name;
        if (all.containsKey(full)) throw new IllegalStateException("parameter " + full + " defined twice");
        Tensor t = Tensor.parameter(values, shape).named(full);
        all.put(full, t);
        return t;
    }

    /** Every parameter by full name, in creation order (read-only). */
    public Map<String, Tensor> all() {
        return Collections.unmodifiableMap(all);
    }

    public long count() {
        long n = 0;
        for (Tensor t : all.values()) n += t.size();
        return n;
    }
}
