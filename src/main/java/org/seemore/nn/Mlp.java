package org.seemore.nn;

import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Tensor;

/** Two Linear layers with an activation between: {@code fc2(act(fc1(x)))}. */
public final class Mlp {
    /** The activation between the layers. */
    public enum Activation { GELU, RELU }

    public final Linear fc1;
    public final Linear fc2;
    private final Activation activation;

    public Mlp(Params p, int in, int hidden, int out, Activation activation) {
        this.fc1 = new Linear(p.sub("fc1"), in, hidden, true);
        this.fc2 = new Linear(p.sub("fc2"), hidden, out, true);
        this.activation = activation;
    }

    public Activation activation() {
        return activation;
    }

    public Tensor forward(Tensor x) {
        Tensor h = fc1.forward(x); // (..., hidden)
        h = activation == Activation.GELU ? Elementwise.gelu(h) : Elementwise.relu(h);
        return fc2.forward(h);     // (..., out)
    }
}
