package org.seemore.parity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seemore.io.Safetensors;
import org.seemore.io.StoredTensor;
import org.seemore.model.ForwardContext;
import org.seemore.model.ModelWeights;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/** Writes a dump in the fixture layout from the Java model, to exercise the runner on other configs. */
final class DumpWriter {
    private DumpWriter() {}

    static void write(Path file, VlmConfig config, boolean noisy, long seed) {
        Vlm model = new Vlm(config, seed);
        Rng rng = new Rng(seed + 1);
        int b = 2, t = 7, s = config.imageSize(), l = config.numVisualTokens() + t, e = config.language().numExperts();
        float[] images = rng.normal(b * 3 * s * s, 0f, 1f);
        long[] tokens = new long[b * t], targets = new long[b * t];
        int[] tok = new int[b * t], tgt = new int[b * t];
        for (int i = 0; i < b * t; i++) {
            tok[i] = rng.nextInt(config.vocabSize());
            tgt[i] = i % 5 == 4 ? -100 : rng.nextInt(config.vocabSize());
            tokens[i] = tok[i];
            targets[i] = tgt[i];
        }
        float[] noise = rng.normal(config.language().layers() * b * l * e, 0f, 1f);
        int per = b * l * e;
        ForwardContext ctx = noisy
                ? ForwardContext.withNoise((layer, rows, experts) -> java.util.Arrays.copyOfRange(noise, layer * per, (layer + 1) * per))
                : ForwardContext.inference();
        Vlm.Output out = model.forward(Tensor.of(images.clone(), b, 3, s, s), tok, b, ctx);
        Vlm.Loss loss = model.loss(out, tgt, b);
        loss.total().backward();
        List<StoredTensor> tensors = new ArrayList<>(ModelWeights.toStored(model.parameters(), "param."));
        tensors.add(StoredTensor.ofFloats("input.images", new int[] {b, 3, s, s}, images));
        tensors.add(StoredTensor.ofLongs("input.tokens", new int[] {b, t}, tokens));
        tensors.add(StoredTensor.ofLongs("input.targets", new int[] {b, t}, targets));
        if (noisy) tensors.add(StoredTensor.ofFloats("input.noise", new int[] {config.language().layers(), b, l, e}, noise));
        tensors.add(StoredTensor.ofFloats("output.vision", out.vision().shape(), out.vision().toArray()));
        tensors.add(StoredTensor.ofFloats("output.logits", out.logits().shape(), out.logits().toArray()));
        tensors.add(StoredTensor.ofFloats("output.ce_loss", new int[0], loss.ce().toArray()));
        tensors.add(StoredTensor.ofFloats("output.aux_loss", new int[0], loss.aux().toArray()));
        tensors.add(StoredTensor.ofFloats("output.loss", new int[0], loss.total().toArray()));
        List<int[]> routes = out.routes();
        for (int i = 0; i < routes.size(); i++) {
            long[] r = new long[routes.get(i).length];
            for (int j = 0; j < r.length; j++) r[j] = routes.get(i)[j];
            tensors.add(StoredTensor.ofLongs("output.routes." + i, new int[] {b, l, config.language().topK()}, r));
        }
        model.parameters().forEach((name, p) -> tensors.add(StoredTensor.ofFloats("grad." + name, p.shape(),
                p.grad() == null ? new float[p.size()] : p.grad().clone())));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", config.toJson());
        meta.put("mode", noisy ? "noisy" : "eval");
        Safetensors.write(file, meta, tensors);
    }
}
