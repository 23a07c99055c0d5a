package org.seemore.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.seemore.UserException;
import org.seemore.generate.Generator;
import org.seemore.generate.Sampler;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;
import org.seemore.model.ForwardContext;
import org.seemore.model.ModelWeights;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.Tensor;
import org.seemore.train.AdamW;

/**
 * Runs a PyTorch reference dump (a fixture, in the format {@code docs/fixtures.md} describes: tensor
 * names, metadata, modes) through the Java model and measures every difference against the
 * tolerances given there: forward outputs and losses 1e-4, gradients 1e-4, parameters after
 * training 2e-4, routes and tokens exactly.
 */
public final class ParityRunner {
    public static final double OUTPUT_TOLERANCE = 1e-4;
    public static final double GRAD_TOLERANCE = 1e-4;
    public static final double TRAINED_PARAM_TOLERANCE = 2e-4;

    private ParityRunner() {}

    /** Runs the dump at {@code path} in the mode its metadata names. */
    public static ParityReport run(Path path) {
        SafetensorsFile file = SafetensorsFile.read(path);
        String configJson = file.metadata().get("config");
        if (configJson == null) throw new UserException(path + ": no __metadata__.config: not a seemore reference dump");
        VlmConfig config;
        try {
            config = VlmConfig.fromJson(configJson);
        } catch (IllegalArgumentException e) {
            throw new UserException(path + ": " + e.getMessage());
        }
        String mode = file.metadata().getOrDefault("mode", "eval");
        Vlm model = new Vlm(config, 0);
        ModelWeights.load(model.parameters(), path.toString(), "param.", file.names(),
                n -> file.contains(n) ? file.get(n) : null, n -> true);
        ParityReport report = new ParityReport(path, mode);
        switch (mode) {
            case "eval" -> forwardAndBackward(file, model, report, ForwardContext.inference());
            case "noisy" -> forwardAndBackward(file, model, report, noiseFrom(file, config));
            case "greedy" -> greedy(file, model, report);
            case "train" -> train(file, model, report);
            default -> throw new UserException(path + ": unknown mode '" + mode + "' (expected eval, noisy, greedy or train)");
        }
        return report;
    }

    private static ForwardContext noiseFrom(SafetensorsFile file, VlmConfig config) {
        StoredTensor noise = file.get("input.noise");           // (n_layer, B, L, E)
        int[] s = noise.shape();
        float[] all = noise.toFloats();
        int per = all.length / s[0];
        return ForwardContext.withNoise((layer, rows, experts) -> {
            if (rows * experts != per) throw new UserException(file.path() + ": input.noise has " + per + " values per layer, the model routes " + rows * experts);
            return Arrays.copyOfRange(all, layer * per, (layer + 1) * per);
        });
    }

    private static Tensor images(SafetensorsFile file) {
        StoredTensor st = file.get("input.images");
        return Tensor.of(st.toFloats(), st.shape());
    }

    private static int[] ints(SafetensorsFile file, String name) {
        return file.get(name).toInts();
    }

    private static void forwardAndBackward(SafetensorsFile file, Vlm model, ParityReport report, ForwardContext ctx) {
        int[] tokens = ints(file, "input.tokens");
        int batch = file.get("input.tokens").shape()[0];
        Vlm.Output out = model.forward(images(file), tokens, batch, ctx);
        Vlm.Loss loss = model.loss(out, ints(file, "input.targets"), batch);
        report.values("output.vision", file.floats("output.vision"), out.vision().toArray(), OUTPUT_TOLERANCE);
        report.values("output.logits", file.floats("output.logits"), out.logits().toArray(), OUTPUT_TOLERANCE);
        report.values("output.ce_loss", file.floats("output.ce_loss"), loss.ce().toArray(), OUTPUT_TOLERANCE);
        report.values("output.aux_loss", file.floats("output.aux_loss"), loss.aux().toArray(), OUTPUT_TOLERANCE);
        report.values("output.loss", file.floats("output.loss"), loss.total().toArray(), OUTPUT_TOLERANCE);
        List<int[]> routes = out.routes();
        for (int i = 0; i < routes.size(); i++) report.exact("output.routes." + i, ints(file, "output.routes." + i), routes.get(i));
        loss.total().backward();
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            String name = "grad." + e.getKey();
            if (!file.contains(name)) continue;
            float[] g = e.getValue().grad() == null ? new float[e.getValue().size()] : e.getValue().grad();
            report.gradient(name, file.floats(name), g, GRAD_TOLERANCE);
        }
        report.requireGradients(model.parameters().size());
    }

    private static void greedy(SafetensorsFile file, Vlm model, ParityReport report) {
        StoredTensor prompt = file.get("input.prompt");
        int batch = prompt.shape()[0], promptLen = prompt.shape()[1];
        int[] flat = prompt.toInts();
        int[][] prompts = new int[batch][];
        for (int b = 0; b < batch; b++) prompts[b] = Arrays.copyOfRange(flat, b * promptLen, (b + 1) * promptLen);
        StoredTensor expected = file.get("output.tokens");
        int newTokens = expected.shape()[1] - promptLen;
        int[][] generated = new Generator(model).generate(images(file), prompts, new Generator.Settings(newTokens, -1, Sampler.greedy(), 0));
        int[] actual = new int[batch * expected.shape()[1]];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(prompts[b], 0, actual, b * expected.shape()[1], promptLen);
            System.arraycopy(generated[b], 0, actual, b * expected.shape()[1] + promptLen, Math.min(generated[b].length, newTokens));
        }
        report.exact("output.tokens", expected.toInts(), actual);
    }

    private static void train(SafetensorsFile file, Vlm model, ParityReport report) {
        JsonNode opt;
        try {
            opt = new ObjectMapper().readTree(file.metadata().getOrDefault("optimizer", "{}"));
        } catch (java.io.IOException e) {
            throw new UserException(file.path() + ": __metadata__.optimizer is not JSON");
        }
        double lr = opt.path("lr").asDouble(1e-3);
        double clip = opt.path("clip_grad_norm").asDouble(1.0);
        AdamW.Settings settings = new AdamW.Settings(opt.path("betas").path(0).asDouble(0.9), opt.path("betas").path(1).asDouble(0.95),
                opt.path("eps").asDouble(1e-8), opt.path("weight_decay").asDouble(0.1));
        float[] expectedLosses = file.floats("output.losses");
        AdamW adam = new AdamW(model.parameters(), settings);
        Tensor images = images(file);
        int[] tokens = ints(file, "input.tokens"), targets = ints(file, "input.targets");
        int batch = file.get("input.tokens").shape()[0];
        float[] losses = new float[expectedLosses.length];
        for (int step = 0; step < expectedLosses.length; step++) {
            for (Tensor p : model.parameters().values()) p.zeroGrad();
            Vlm.Output out = model.forward(images, tokens, batch, ForwardContext.inference());
            Vlm.Loss loss = model.loss(out, targets, batch);
            losses[step] = loss.total().item();
            loss.total().backward();
            AdamW.clipGradNorm(model.parameters().values(), clip);
            adam.step(lr);
        }
        report.values("output.losses", expectedLosses, losses, OUTPUT_TOLERANCE);
        List<String> names = new ArrayList<>(model.parameters().keySet());
        for (String name : names) {
            report.values("final." + name, file.floats("final." + name), model.parameters().get(name).toArray(), TRAINED_PARAM_TOLERANCE);
        }
    }
}
