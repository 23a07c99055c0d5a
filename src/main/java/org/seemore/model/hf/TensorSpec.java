package org.seemore.model.hf;

import java.util.Arrays;

/** One tensor a checkpoint must hold: its Hugging Face name and its shape, outermost dimension first. */
public record TensorSpec(String name, int[] shape) {
    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorSpec that && name.equals(that.name) && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape);
    }
}
