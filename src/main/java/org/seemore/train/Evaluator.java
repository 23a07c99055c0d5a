package org.seemore.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seemore.data.Example;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.text.CharTokenizer;
import org.seemore.generate.Generator;
import org.seemore.generate.Sampler;
import org.seemore.model.ForwardContext;
import org.seemore.model.Vlm;
import org.seemore.tensor.BufferPool;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.StepArena;
import org.seemore.tensor.Tensor;

/**
 * Scores a model on held-out records: the teacher-forced loss, and greedy captions (or answers)
 * compared with the reference text by exact match and character error rate (edit distance over
 * reference length, summed over records).
 */
public final class Evaluator {
    private final Vlm model;
    private final CharTokenizer tokenizer;
    private final SequenceEncoder encoder;
    private final ImageTransform transform;
    private final int batchSize;
    private final BufferPool pool = new BufferPool();

    /** @param transform image preprocessing, or null when the model reads text only */
    public Evaluator(Vlm model, CharTokenizer tokenizer, ImageTransform transform, int batchSize) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.encoder = new SequenceEncoder(tokenizer, model.config().maxTextTokens());
        this.transform = transform;
        this.batchSize = batchSize;
    }

    /** One record's generated text beside its reference. */
    public record Sample(Example example, String generated) {
        public boolean exact() { return generated.equals(example.answer()); }
    }

    /** The scores of one evaluation. */
    public record Result(double loss, double exactMatch, double charErrorRate, int n, List<Sample> samples) {}

    public Result evaluate(List<Example> data, int limit) {
        List<Example> records = limit > 0 && data.size() > limit ? data.subList(0, limit) : data;
        double lossSum = 0;
        long counted = 0;
        List<Sample> samples = new ArrayList<>();
        long edits = 0, refChars = 0;
        int exact = 0;
        try (var g = GradMode.noGrad()) {
            for (int from = 0; from < records.size(); from += batchSize) {
                List<Example> chunk = records.subList(from, Math.min(records.size(), from + batchSize));
                Batch batch = batchOf(chunk);
                float ce;
                try (StepArena arena = StepArena.open(pool)) { // the batch's activations are recycled for the next
                    Vlm.Output out = model.forward(batch.images(), batch.tokens(), batch.size(), ForwardContext.inference());
                    ce = model.loss(out, batch.targets(), batch.size()).ce().item();
                }
                lossSum += (double) ce * batch.countedTokens();
                counted += batch.countedTokens();
            }
            for (Sample s : caption(records, Sampler.greedy(), 0, maxAnswerTokens(records))) {
                samples.add(s);
                if (s.exact()) exact++;
                edits += editDistance(s.generated(), s.example().answer());
                refChars += s.example().answer().codePointCount(0, s.example().answer().length());
            }
        }
        int n = records.size();
        return new Result(counted == 0 ? Double.NaN : lossSum / counted, n == 0 ? 0 : (double) exact / n,
                refChars == 0 ? 0 : (double) edits / refChars, n, samples);
    }

    private int maxAnswerTokens(List<Example> records) {
        int max = 1;
        for (Example e : records) max = Math.max(max, e.answer().codePointCount(0, e.answer().length()) + 16);
        return max;
    }

    /** Generates for every record, batching records whose prompts have the same length. */
    public List<Sample> caption(List<Example> records, Sampler sampler, long seed, int maxTokens) {
        Map<Integer, List<Integer>> byPromptLength = new LinkedHashMap<>();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            int[] p = encoder.promptTokens(records.get(i).prompt());
            prompts.add(p);
            byPromptLength.computeIfAbsent(p.length, k -> new ArrayList<>()).add(i);
        }
        String[] generated = new String[records.size()];
        Generator generator = new Generator(model);
        for (List<Integer> group : byPromptLength.values()) {
            for (int from = 0; from < group.size(); from += batchSize) {
                List<Integer> idx = group.subList(from, Math.min(group.size(), from + batchSize));
                List<Example> chunk = new ArrayList<>();
                int[][] p = new int[idx.size()][];
                for (int j = 0; j < idx.size(); j++) {
                    chunk.add(records.get(idx.get(j)));
                    p[j] = prompts.get(idx.get(j));
                }
                Tensor images = batchOf(chunk).images();
                int[][] out = generator.generate(images, p, new Generator.Settings(maxTokens, CharTokenizer.EOS, sampler, seed));
                for (int j = 0; j < idx.size(); j++) generated[idx.get(j)] = tokenizer.decode(out[j]);
            }
        }
        List<Sample> result = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) result.add(new Sample(records.get(i), generated[i]));
        return result;
    }

    private Batch batchOf(List<Example> chunk) {
        List<SequenceEncoder.Encoded> encoded = new ArrayList<>();
        List<float[]> images = transform == null ? null : new ArrayList<>();
        for (Example e : chunk) {
            encoded.add(encoder.encode(e));
            if (images != null) images.add(transform.apply(e.image()));
        }
        return Batch.assemble(encoded, images, transform == null ? 0 : transform.size());
    }

    /** Levenshtein distance over code points. */
    public static int editDistance(String a, String b) {
        int[] x = a.codePoints().toArray(), y = b.codePoints().toArray();
        int[] prev = new int[y.length + 1], cur = new int[y.length + 1];
        for (int j = 0; j <= y.length; j++) prev[j] = j;
        for (int i = 1; i <= x.length; i++) {
            cur[0] = i;
            for (int j = 1; j <= y.length; j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[y.length];
    }
}
