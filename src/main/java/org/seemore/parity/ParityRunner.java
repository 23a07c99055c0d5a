package org.seemore.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.seemore.UserException;
import org.seemore.generate.Generator;
import org.seemore.generate.Sampler;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;
import org.seemore.model.ForwardContext;
import org.seemore.model.ModelWeights;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.BufferPool;
import org.seemore.tensor.Tensor;
import org.seemore.train.AdamW;
import org.seemore.train.Batch;
import org.seemore.train.LrSchedule;
import org.seemore.train.TrainingStep;

/**
 * Runs a PyTorch reference dump (a fixture, in the format {@code docs/fixtures.md} describes: tensor
 * names, metadata, modes) through the Java model and measures every difference against the
 * tolerances given there: forward outputs and losses 1e-4, gradients 1e-4, parameters after
 * training 2e-4, routes and tokens exactly. Also read when present (the dumps of
 * {@code scripts/reference}): {@code output.z_loss}, {@code output.expert_tokens.i} (assignments
 * each expert kept under the capacity limit, exactly), and for training
 * {@code __metadata__.grad_accum} (the inputs' rows split into that many micro-batches per step)
 * and {@code output.grad_norms} (the norm before clipping).
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
        if (file.contains("output.z_loss")) {
            if (out.zLoss() == null) report.missing("output.z_loss (the model computed none: router_z_loss_coef is 0)");
            else report.values("output.z_loss", file.floats("output.z_loss"), out.zLoss().toArray(), OUTPUT_TOLERANCE);
        }
        List<int[]> routes = out.routes();
        for (int i = 0; i < routes.size(); i++) report.exact("output.routes." + i, ints(file, "output.routes." + i), routes.get(i));
        for (int i = 0; i < routes.size(); i++) {
            String name = "output.expert_tokens." + i;
            if (file.contains(name)) report.exact(name, ints(file, name), out.moe().get(i).expertTokens());
        }
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
        List<Batch> micro = microBatches(file, gradAccumulation(file));
        // the step that training runs; without dropout and routing noise, as the reference's steps are
        TrainingStep trainingStep = new TrainingStep(model, new AdamW(model.parameters(), settings), ForwardContext.inference(),
                new TrainingStep.Settings(LrSchedule.constant(lr), clip, micro.size()), new BufferPool());
        Supplier<Batch> batches = TrainingStep.cycling(micro);
        float[] losses = new float[expectedLosses.length], norms = new float[expectedLosses.length];
        for (int step = 0; step < expectedLosses.length; step++) {
            TrainingStep.Result result = trainingStep.run(step, batches);
            losses[step] = (float) result.loss();
            norms[step] = (float) result.gradNorm();
        }
        report.values("output.losses", expectedLosses, losses, OUTPUT_TOLERANCE);
        if (file.contains("output.grad_norms")) report.values("output.grad_norms", file.floats("output.grad_norms"), norms, OUTPUT_TOLERANCE);
        List<String> names = new ArrayList<>(model.parameters().keySet());
        for (String name : names) {
            report.values("final." + name, file.floats("final." + name), model.parameters().get(name).toArray(), TRAINED_PARAM_TOLERANCE);
        }
    }

    /** {@code __metadata__.grad_accum}: micro-batches per optimizer step, 1 when absent. */
    private static int gradAccumulation(SafetensorsFile file) {
        String value = file.metadata().getOrDefault("grad_accum", "1");
        try {
            int accum = Integer.parseInt(value.strip());
            if (accum > 0) return accum;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserException(file.path() + ": __metadata__.grad_accum must be a positive integer, got '" + value + "'");
    }

    /** The dump's A*B input rows as A consecutive micro-batches of B rows. */
    private static List<Batch> microBatches(SafetensorsFile file, int accum) {
        StoredTensor images = file.get("input.images");
        int rows = file.get("input.tokens").shape()[0];
        if (rows % accum != 0 || images.shape()[0] != rows) {
            throw new UserException(file.path() + ": " + rows + " input rows do not split into grad_accum " + accum + " micro-batches");
        }
        int batch = rows / accum;
        int[] shape = images.shape().clone();
        shape[0] = batch;
        float[] pixels = images.toFloats();
        int[] tokens = ints(file, "input.tokens"), targets = ints(file, "input.targets");
        int perImage = pixels.length / rows, perRow = tokens.length / rows;
        List<Batch> out = new ArrayList<>();
        for (int a = 0; a < accum; a++) {
            out.add(Batch.of(
                    Tensor.of(Arrays.copyOfRange(pixels, a * batch * perImage, (a + 1) * batch * perImage), shape),
                    Arrays.copyOfRange(tokens, a * batch * perRow, (a + 1) * batch * perRow),
                    Arrays.copyOfRange(targets, a * batch * perRow, (a + 1) * batch * perRow), batch));
        }
        return out;
    }
}
