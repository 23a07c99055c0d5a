package org.seemore.tensor;

import java.util.Arrays;
import org.seemore.tensor.kernels.Activations;
import org.seemore.tensor.kernels.Gemm;
import org.seemore.tensor.kernels.Parallel;
import org.seemore.tensor.kernels.VectorMath;

/**
 * The experts of a sparse mixture of experts as one op: each expert e is a two-layer ReLU MLP
 * ({@code fc2(relu(fc1(x)))}, PyTorch's [out, in] weights) run on its own rows of x, and every
 * output row comes back to its token weighted by the router:
 *
 * <pre>
 * y[rows[e][i]] += weights[slots[e][i]] * mlp_e(x[rows[e][i]])      for every expert e, in expert order
 * </pre>
 *
 * Legend: N tokens, C width, H hidden width, n_e the rows of expert e. The op equals gathering each
 * expert's rows ({@link Indexing#indexSelect}), two {@link Linalg#linear}s with a
 * {@link Elementwise#relu} between, and a router-weighted index-add (that composition is
 * {@link ExpertMlpsReference}, which this is tested against), but the experts run side by side on
 * the kernel pool, each with its products on one thread: a few hundred rows per expert leave little
 * for two threads to share within one product, while eight experts spread over two threads with no
 * hand-off per product. The biggest experts are claimed first, so the last one to finish is a small one.
 */
public final class ExpertMlps {
    private ExpertMlps() {}

    /** One expert's weights: fc1 (H, C) and (H), fc2 (C, H) and (C). */
    public record Expert(Tensor fc1Weight, Tensor fc1Bias, Tensor fc2Weight, Tensor fc2Bias) {}

    /**
     * x (N, C); for expert e, {@code rows[e]} are the tokens it runs on and {@code slots[e]} the flat
     * indices of their router weights in {@code weights} (each slot used once) -> y (N, C).
     */
    public static Tensor forward(Tensor x, Expert[] experts, int[][] rows, int[][] slots, Tensor weights) {
        int n = x.dim(0), c = x.dim(1), count = experts.length;
        check(x, experts, rows, slots, weights);
        float[] xd = x.data(), wd = weights.data();
        int xo = x.offset(), wo = weights.offset();
        float[][] inputs = new float[count][], hidden = new float[count][], outputs = new float[count][];
        int[] order = largestFirst(rows);
        for (int e : order) { // taken here: a training step's pool serves its own thread only
            int m = rows[e].length, h = experts[e].fc1Weight().dim(0);
            inputs[e] = StepArena.uninitialized(m * c);
            hidden[e] = StepArena.uninitialized(m * h);
            outputs[e] = StepArena.uninitialized(m * c);
        }
        Parallel.parallelFor(order.length, task -> {
            int e = order[task], m = rows[e].length, h = experts[e].fc1Weight().dim(0);
            float[] in = inputs[e], hid = hidden[e], out = outputs[e];
            for (int i = 0; i < m; i++) System.arraycopy(xd, xo + rows[e][i] * c, in, i * c, c);   // (n_e, C)
            linear(in, m, c, experts[e].fc1Weight(), experts[e].fc1Bias(), hid, h);               // (n_e, H)
            Activations.relu(hid, 0, hid, m * h);
            linear(hid, m, h, experts[e].fc2Weight(), experts[e].fc2Bias(), out, c);              // (n_e, C)
        });
        float[] y = StepArena.zeroed(n * c);
        for (int e = 0; e < count; e++) {
            for (int i = 0; i < rows[e].length; i++) {
                VectorMath.addScaled(wd[wo + slots[e][i]], outputs[e], i * c, y, rows[e][i] * c, c);
            }
        }
        Tensor[] parents = new Tensor[2 + 4 * count];
        parents[0] = x;
        parents[1] = weights;
        for (int e = 0; e < count; e++) {
            parents[2 + 4 * e] = experts[e].fc1Weight();
            parents[3 + 4 * e] = experts[e].fc1Bias();
            parents[4 + 4 * e] = experts[e].fc2Weight();
            parents[5 + 4 * e] = experts[e].fc2Bias();
        }
        Tensor result = Tensor.result(y, new int[] {n, c}, o -> {
            float[] gy = o.grad();
            float[] gw = weights.requiresGrad() ? weights.gradBuffer() : null;
            boolean inputGrad = x.requiresGrad();
            float[][] work = new float[3 * count][]; // per expert: gradients of its output, hidden layer and input rows
            for (int e : order) {
                int m = rows[e].length, h = experts[e].fc1Weight().dim(0);
                work[3 * e] = StepArena.zeroed(m * c);
                work[3 * e + 1] = StepArena.uninitialized(m * h);
                work[3 * e + 2] = inputGrad ? StepArena.uninitialized(m * c) : null;
            }
            Parallel.parallelFor(order.length, task -> {
                int e = order[task];
                backward(experts[e], rows[e], slots[e], inputs[e], hidden[e], outputs[e], gy, c, wd, wo, gw,
                        work[3 * e], work[3 * e + 1], work[3 * e + 2]);
            });
            if (inputGrad) { // in expert order, as the gathers' gradients would arrive
                float[] gx = x.gradBuffer();
                for (int e = 0; e < count; e++) {
                    for (int i = 0; i < rows[e].length; i++) VectorMath.addInto(work[3 * e + 2], i * c, gx, rows[e][i] * c, c);
                }
            }
            StepArena arena = StepArena.current();
            if (arena != null) for (float[] buffer : work) if (buffer != null) arena.releaseScratch(buffer);
        }, parents);
        for (int e : order) { // the activations the backward step reads go back with the output
            StepArena.tie(result, inputs[e]);
            StepArena.tie(result, hidden[e]);
            StepArena.tie(result, outputs[e]);
        }
        return result;
    }

    /** {@code out (m, outW) = in (m, inW) · Wᵀ + b}, as {@link Linalg#linear} computes it (bias first, then the product added). */
    private static void linear(float[] in, int m, int inW, Tensor weight, Tensor bias, float[] out, int outW) {
        Gemm.gemmBias(false, true, m, outW, inW, in, 0, inW, weight.data(), weight.offset(), inW, out, 0, outW, bias.data(), bias.offset());
    }

    /**
     * One expert's backward: the router weights' gradients (its slots only), its parameters'
     * gradients, and into gIn (when not null) the gradient of its gathered input rows. gOut holds
     * zeros; gHid and gIn are overwritten.
     */
    private static void backward(Expert expert, int[] rows, int[] slots, float[] in, float[] hid, float[] out,
                                 float[] gy, int c, float[] wd, int wo, float[] gw, float[] gOut, float[] gHid, float[] gIn) {
        int m = rows.length, h = expert.fc1Weight().dim(0);
        for (int i = 0; i < m; i++) { // (n_e, C)
            int from = rows[i] * c;
            VectorMath.axpy(wd[wo + slots[i]], gy, from, gOut, i * c, c);
            if (gw != null) gw[slots[i]] += VectorMath.dot(gy, from, out, i * c, c);
        }
        Gemm.gemm(false, false, m, h, c, gOut, 0, c, expert.fc2Weight().data(), expert.fc2Weight().offset(), h, gHid, 0, h, false); // (n_e, H)
        parameterGrads(expert.fc2Weight(), expert.fc2Bias(), gOut, hid, m, c, h);
        Activations.reluBackward(gHid, hid, m * h);
        if (gIn != null) {
            Gemm.gemm(false, false, m, c, h, gHid, 0, h, expert.fc1Weight().data(), expert.fc1Weight().offset(), c, gIn, 0, c, false);
        }
        parameterGrads(expert.fc1Weight(), expert.fc1Bias(), gHid, in, m, h, c);
    }

    /** {@code gW += gᵀ · in} and {@code gb += column sums of g} for a layer with g (m, outW) and in (m, inW). */
    private static void parameterGrads(Tensor weight, Tensor bias, float[] g, float[] in, int m, int outW, int inW) {
        if (weight.requiresGrad()) Gemm.gemm(true, false, outW, inW, m, g, 0, outW, in, 0, inW, weight.gradBuffer(), 0, inW, true);
        if (bias.requiresGrad()) {
            float[] gb = bias.gradBuffer();
            for (int r = 0; r < m; r++) VectorMath.addInto(g, r * outW, gb, 0, outW);
        }
    }

    /** The experts that have rows, largest first (ties in expert order). */
    private static int[] largestFirst(int[][] rows) {
        return java.util.stream.IntStream.range(0, rows.length).filter(e -> rows[e].length > 0).boxed()
                .sorted((a, b) -> rows[a].length != rows[b].length ? Integer.compare(rows[b].length, rows[a].length) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
    }

    private static void check(Tensor x, Expert[] experts, int[][] rows, int[][] slots, Tensor weights) {
        if (x.rank() != 2) throw new IllegalArgumentException("experts need x (N, C), got " + Shapes.str(x.shape()));
        if (rows.length != experts.length || slots.length != experts.length) {
            throw new IllegalArgumentException(experts.length + " experts but rows for " + rows.length + " and slots for " + slots.length);
        }
        int n = x.dim(0), c = x.dim(1);
        boolean[] taken = new boolean[weights.size()];
        for (int e = 0; e < experts.length; e++) {
            Expert ex = experts[e];
            int h = ex.fc1Weight().dim(0);
            if (!Arrays.equals(ex.fc1Weight().shape(), new int[] {h, c}) || ex.fc1Bias().size() != h
                    || !Arrays.equals(ex.fc2Weight().shape(), new int[] {c, h}) || ex.fc2Bias().size() != c) {
                throw new IllegalArgumentException("expert " + e + ": weights " + Shapes.str(ex.fc1Weight().shape()) + ", "
                        + Shapes.str(ex.fc2Weight().shape()) + " do not fit width " + c);
            }
            if (slots[e].length != rows[e].length) throw new IllegalArgumentException("expert " + e + ": " + rows[e].length + " rows but " + slots[e].length + " slots");
            for (int r : rows[e]) if (r < 0 || r >= n) throw new IndexOutOfBoundsException("row " + r + " out of range for " + n + " tokens");
            for (int s : slots[e]) {
                if (s < 0 || s >= taken.length) throw new IndexOutOfBoundsException("slot " + s + " out of range for " + taken.length + " weights");
                if (taken[s]) throw new IllegalArgumentException("slot " + s + " is used twice");
                taken[s] = true;
            }
        }
    }
}
