package org.seemore.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.seemore.tensor.kernels.VectorMath;

/**
 * A float32 tensor: a shape over contiguous row-major storage, plus what reverse-mode autodiff needs.
 *
 * <p>Every op builds its output and, when a gradient is wanted, records its parents and a backward
 * closure beside it (the micrograd pattern). {@link #backward()} walks the graph in reverse
 * topological order once; gradients accumulate into {@link #grad()}. Intermediate gradients and the
 * graph are released as the walk passes them, so a graph is backpropagated once.
 *
 * <p>Views: {@link Shaping#reshape} and slicing of leading dimensions share storage ({@link #offset()}).
 */
public final class Tensor {

    /** The backward step of one op: read {@code out.grad()}, accumulate into the parents' gradients. */
    @FunctionalInterface
    public interface Backward {
        void apply(Tensor out);
    }

    private final int[] shape;
    private float[] data; // null once released to a StepArena's pool
    private final int offset;
    private final int size;
    private boolean requiresGrad;
    private float[] grad;
    private float[] spareGrad; // a leaf's gradient buffer kept by recycleGrad() for its next gradient
    private Tensor[] parents;
    private Backward backward;
    private String name;
    private String component; // the profiler's component at creation, when profiling

    private Tensor(float[] data, int offset, int[] shape) {
        this.shape = shape;
        this.size = Shapes.numel(shape);
        if (offset < 0 || offset + size > data.length) {
            throw new IllegalArgumentException("storage of " + data.length + " cannot hold " + Arrays.toString(shape) + " at " + offset);
        }
        this.data = data;
        this.offset = offset;
        StepArena arena = StepArena.current();
        if (arena != null) arena.track(this, data);
    }

    // ---- construction ---------------------------------------------------------------------------

    /** Wraps {@code data} (not copied) as a tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.clone();
        Shapes.check(s);
        if (Shapes.numel(s) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " needs " + Shapes.numel(s) + " values, got " + data.length);
        }
        return new Tensor(data, 0, s);
    }

    public static Tensor zeros(int... shape) {
        int[] s = shape.clone();
        Shapes.check(s);
        return new Tensor(new float[Shapes.numel(s)], 0, s);
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, 0, new int[0]);
    }

    /** A leaf that requires a gradient: a trainable parameter. */
    public static Tensor parameter(float[] data, int... shape) {
        return of(data, shape).requiresGrad(true);
    }

    /** A view of this tensor's storage with another shape and offset (no copy, no autodiff). */
    Tensor view(int newOffset, int[] newShape) {
        return new Tensor(data(), newOffset, newShape);
    }

    /**
     * The output of an op: records parents and backward when gradients are enabled and any parent
     * requires one.
     */
    static Tensor result(float[] data, int[] shape, Backward backward, Tensor... parents) {
        return attach(new Tensor(data, 0, shape), backward, parents);
    }

    static Tensor attach(Tensor out, Backward backward, Tensor... parents) {
        if (!GradMode.isEnabled()) return out;
        boolean any = false;
        for (Tensor p : parents) any |= p != null && p.requiresGrad;
        if (!any) return out;
        out.requiresGrad = true;
        out.parents = parents;
        out.backward = backward;
        out.component = Profiler.current();
        return out;
    }

    // ---- accessors ------------------------------------------------------------------------------

    public int[] shape() { return shape.clone(); }

    /** Size of dimension {@code axis}; negative axes count from the end. */
    public int dim(int axis) { return shape[Shapes.axis(axis, shape.length)]; }

    public int rank() { return shape.length; }

    public int size() { return size; }

    /**
     * The backing storage; this tensor's values are {@code data()[offset() .. offset()+size()-1]}.
     * Storage may be longer than offset + size (pooled buffers come in size classes).
     *
     * @throws IllegalStateException when the storage went back to a {@link StepArena}'s pool
     */
    public float[] data() {
        if (data == null) throw new IllegalStateException(this + " was released: its storage went back to the step arena's pool"
                + " (keep a tensor that must outlive its step with StepArena.keep)");
        return data;
    }

    /** Whether the storage went back to a {@link StepArena}'s pool (then nothing can read it). */
    public boolean isReleased() { return data == null; }

    /** Called by the arena when the storage goes back to the pool. */
    void release() {
        data = null;
        grad = null;
        parents = null;
        backward = null;
    }

    public int offset() { return offset; }

    /** A fresh copy of the values. */
    public float[] toArray() { return Arrays.copyOfRange(data(), offset, offset + size); }

    public float item() {
        if (size != 1) throw new IllegalStateException("item() needs a single value, shape is " + Arrays.toString(shape));
        return data()[offset];
    }

    public float get(int... index) { return data()[offset + Shapes.flatIndex(shape, index)]; }

    public void set(float value, int... index) { data()[offset + Shapes.flatIndex(shape, index)] = value; }

    public String name() { return name; }

    public Tensor named(String name) { this.name = name; return this; }

    // ---- autodiff -------------------------------------------------------------------------------

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as trainable or frozen (a frozen parameter gets no gradient). */
    public Tensor requiresGrad(boolean value) {
        if (parents != null) throw new IllegalStateException("only leaves can change requiresGrad");
        requiresGrad = value;
        if (!value) grad = null;
        return this;
    }

    /** The accumulated gradient (same layout as the values), or null when none has arrived. */
    public float[] grad() { return grad; }

    /**
     * The gradient buffer, allocated (zeroed) on first use; ops accumulate into it. A leaf's buffer
     * is its own (exactly {@link #size()} long, reused after {@link #recycleGrad}); an intermediate
     * tensor's comes from the open {@link StepArena}, if any, and may be longer.
     */
    public float[] gradBuffer() {
        if (grad == null) {
            if (backward != null) {
                grad = StepArena.zeroed(size);
            } else if (spareGrad != null) {
                grad = spareGrad;
                spareGrad = null;
                Arrays.fill(grad, 0f);
            } else {
                grad = new float[size];
            }
        }
        return grad;
    }

    public boolean hasGrad() { return grad != null; }

    /**
     * Adds {@code g} (this tensor's layout) to the gradient. When none has arrived yet, {@code g}
     * itself becomes the gradient, with no copy: the caller gives the array away. A backward step may
     * give away its output's gradient (dropped as soon as the step returns), often after overwriting
     * it in place with the parent's gradient, so a chain of views and elementwise ops shares one buffer.
     */
    void accumulateGrad(float[] g) {
        if (grad == null && backward != null && g.length >= size) {
            grad = g;
        } else if (grad == null && backward == null) {
            // a leaf copies: its gradient outlives the step, while g may be a pooled buffer; copied, not
            // added to zeros, so that the values are g's bit for bit (-0 stays -0) as when g was taken over
            float[] own = spareGrad != null && spareGrad.length == size ? spareGrad : new float[size];
            spareGrad = null;
            System.arraycopy(g, 0, own, 0, size);
            grad = own;
        } else {
            VectorMath.addInto(g, 0, gradBuffer(), 0, size);
        }
    }

    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, 0f);
    }

    /** Drops the gradient buffer (for leaves between steps when memory matters). */
    public void clearGrad() {
        grad = null;
        spareGrad = null;
    }

    /**
     * Drops the gradient as {@link #clearGrad} does (a leaf then has none until one arrives), but keeps
     * its buffer for the next: a training loop calls it on the parameters before each step, so that
     * parameter gradients are not reallocated every step. The array {@link #grad()} returned before
     * is then overwritten by the next gradient.
     */
    public void recycleGrad() {
        if (grad != null && backward == null) spareGrad = grad;
        grad = null;
    }

    /** Backpropagates from this scalar: d this / d every tensor in its graph that requires a gradient. */
    public void backward() {
        if (size != 1) throw new IllegalStateException("backward() starts from a scalar, shape is " + Arrays.toString(shape));
        if (!requiresGrad) throw new IllegalStateException("backward() on a tensor that does not require a gradient");
        if (data == null) throw new IllegalStateException(this + " was released; its graph is gone");
        List<Tensor> order = topologicalOrder();
        gradBuffer()[0] += 1f;
        StepArena arena = StepArena.current();
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            if (t.backward == null) continue;
            if (t.grad != null) {
                if (Profiler.enabled()) {
                    long t0 = System.nanoTime();
                    t.backward.apply(t);
                    Profiler.addBackward(t.component, System.nanoTime() - t0);
                } else {
                    t.backward.apply(t);
                }
            }
            Tensor[] ps = t.parents;
            float[] g = t.grad;
            // release the graph and the intermediate gradient as soon as they are used
            t.backward = null;
            t.parents = null;
            t.grad = null;
            if (arena != null) {
                // in reverse topological order every reader of t's storage (t's children and their
                // views) has run its backward step by now, and t's own was the last
                if (g != null && !takenOver(g, ps)) arena.releaseScratch(g);
                if (t.data != null) arena.releaseStorage(t, t.data);
            }
        }
    }

    /** Whether a parent took {@code g} over as its gradient. */
    private static boolean takenOver(float[] g, Tensor[] parents) {
        for (Tensor p : parents) if (p != null && p.grad == g) return true;
        return false;
    }

    private List<Tensor> topologicalOrder() {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        visited.put(this, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] ps = t.parents;
            if (ps != null && next < ps.length) {
                frame[1] = next + 1;
                Tensor p = ps[next];
                if (p != null && p.requiresGrad && visited.put(p, Boolean.TRUE) == null) {
                    stack.push(new Object[] {p, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    /** A copy that shares nothing and records nothing. */
    public Tensor detach() {
        return of(toArray(), shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + (name == null ? "" : " " + name);
    }
}
