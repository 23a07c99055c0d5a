package org.seemore.generate;

import java.util.ArrayList;
import java.util.List;
import org.seemore.model.ForwardContext;
import org.seemore.model.LanguageModel;
import org.seemore.model.Vlm;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.Parallel;

/**
 * Continuous batching (Orca, Yu et al. 2022): a changing set of sequences generated together, one
 * token each per {@link #step}. A new sequence is prefilled when it is {@link #admit admitted} and
 * joins the next step; a finished or cancelled one leaves it.
 *
 * <p>Each sequence owns a batch-1 {@link LanguageModel.Decoding} (its KV cache) and its own seeded
 * generator, and a step runs each sequence's decoding on one thread: so a sequence's tokens are the
 * bits {@link Generator#generate} gives for it alone, whatever else runs beside it. The sequences of
 * a step are spread over the kernel threads ({@link Parallel}); the owner calls every method from one
 * thread.
 */
public final class ContinuousBatch {

    /** Why a sequence ended. */
    public enum Finish { STOP, LENGTH, CANCELLED }

    /** Receives a sequence's tokens, on the thread that calls {@link #admit} and {@link #step}. */
    public interface Listener {
        /** A new token (never the end token) and the experts each layer chose for the position that predicted it, (layers, k). */
        void token(int token, int[][] routes);

        void finished(Finish reason);
    }

    /** One sequence of the batch. */
    public final class Sequence {
        private final LanguageModel.Decoding decoding;
        private final Generator.Settings settings;
        private final Rng rng;
        private final Listener listener;
        private final int maxNew;
        private int produced, last;
        private float[] logits;
        private volatile boolean cancelled;
        private Finish finish;

        private Sequence(LanguageModel.Decoding decoding, Generator.Settings settings, int maxNew, Listener listener) {
            this.decoding = decoding;
            this.settings = settings;
            this.rng = new Rng(settings.seed());
            this.maxNew = maxNew;
            this.listener = listener;
        }

        /** Ends the sequence at the next step (thread-safe: e.g. a client went away). */
        public void cancel() {
            cancelled = true;
        }

        public int produced() { return produced; }

        /** Samples the next token from {@code logits} (row 0) as {@link Generator} does; false when the sequence ends. */
        private boolean sample() {
            last = settings.sampler().sample(logits, 0, logits.length, rng);
            if (last == settings.eos()) {
                finish = Finish.STOP;
                return false;
            }
            produced++;
            if (produced == maxNew) finish = Finish.LENGTH;
            return true;
        }

        private void emit(boolean token) {
            if (token) listener.token(last, routes(decoding.routes()));
            if (finish != null) listener.finished(finish);
        }

        private int[][] routes(int[] flat) {
            int layers = model.language().config().layers();
            if (flat.length == 0) return new int[0][];
            int k = flat.length / layers;
            int[][] r = new int[layers][];
            for (int l = 0; l < layers; l++) r[l] = java.util.Arrays.copyOfRange(flat, l * k, (l + 1) * k);
            return r;
        }
    }

    private final Vlm model;
    private final List<Sequence> running = new ArrayList<>();

    public ContinuousBatch(Vlm model) {
        this.model = model;
    }

    public int running() { return running.size(); }

    /**
     * Prefills a sequence: image (1, 3, S, S) or null, prompt tokens; its first token is sampled and
     * emitted now. Returns the sequence, which has joined the batch unless it already ended.
     */
    public Sequence admit(Tensor image, int[] prompt, Generator.Settings settings, Listener listener) {
        try (var g = GradMode.noGrad()) {
            Tensor visual = image == null ? null : model.visualTokens(image, ForwardContext.inference()); // (1, Nv, C)
            int nv = visual == null ? 0 : visual.dim(1);
            int maxNew = Generator.budget(model, nv, prompt.length, settings);
            LanguageModel.Decoding decoding = model.language().newDecoding(1, nv + prompt.length + Math.max(maxNew - 1, 0));
            Sequence s = new Sequence(decoding, settings, maxNew, listener);
            if (maxNew == 0) {
                s.finish = Finish.LENGTH;
                s.emit(false);
                return s;
            }
            Tensor prefill = decoding.forward(visual, prompt);                                          // (1, Nv+P, V)
            int vocab = prefill.dim(2), rows = prefill.dim(1);
            s.logits = new float[vocab];
            System.arraycopy(prefill.data(), prefill.offset() + (rows - 1) * vocab, s.logits, 0, vocab);
            s.emit(s.sample());
            if (s.finish == null) running.add(s);
            return s;
        }
    }

    /** One token for every running sequence; those that end (or were cancelled) leave. Returns how many still run. */
    public int step() {
        for (Sequence s : running) {
            if (s.cancelled) s.finish = Finish.CANCELLED;
        }
        List<Sequence> active = new ArrayList<>();
        for (Sequence s : running) {
            if (s.finish == null) active.add(s);
            else s.emit(false);
        }
        boolean[] sampled = new boolean[active.size()];
        Parallel.parallelFor(active.size(), i -> {
            Sequence s = active.get(i);
            s.logits = s.decoding.step(new int[] {s.last}); // (1, V)
            sampled[i] = s.sample();
        });
        running.clear();
        for (int i = 0; i < active.size(); i++) {
            Sequence s = active.get(i);
            s.emit(sampled[i]);
            if (s.finish == null) running.add(s);
        }
        return running.size();
    }
}
