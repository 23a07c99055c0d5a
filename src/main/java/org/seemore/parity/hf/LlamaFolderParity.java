package org.seemore.parity.hf;

import java.util.Arrays;
import org.seemore.UserException;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.hf.Architecture;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llama.GreedyDecoder;
import org.seemore.model.llama.LlamaModel;
import org.seemore.parity.ParityReport;
import org.seemore.parity.ParityRunner;
import org.seemore.tensor.Tensor;

/**
 * A LlamaForCausalLM or Qwen2ForCausalLM folder: {@link LlamaModel} on {@code input_ids} and
 * {@code attention_mask} of reference.safetensors, compared with {@code logits} and
 * {@code hidden_states.i} at every position whose mask is 1 (a padded query's value depends on how
 * a fully masked row is handled, which the README leaves open), HF's causal-LM {@code loss} on
 * {@code labels} and every {@code grad.<parameter>} (see {@link Gradients}), then greedy KV-cached generation against
 * {@code gen.output_ids} (exactly) and {@code gen.logits}. Tensors other than the inputs and
 * {@code logits} are optional; nothing assumes the fixtures' shapes.
 */
class LlamaFolderParity implements FolderParity {

    @Override
    public String kind() {
        return "LlamaForCausalLM, Qwen2ForCausalLM";
    }

    @Override
    public boolean accepts(Folder folder) {
        return folder.architecture().filter(a -> a == Architecture.LLAMA || a == Architecture.QWEN2).isPresent();
    }

    @Override
    public ParityReport run(Folder folder) {
        SafetensorsFile ref = SafetensorsFile.read(folder.require(Folder.REFERENCE, "the reference inputs and outputs"));
        HfModelDirectory dir = HfModelDirectory.open(folder.path());
        DecoderConfig config = dir.decoder().orElseThrow();
        LlamaModel model;
        try {
            model = LlamaModel.load(config, dir.weights());
        } catch (IllegalArgumentException e) {
            throw new UserException(folder.path() + ": " + e.getMessage(), e);
        }
        ParityReport report = new ParityReport(folder.path(), dir.architecture().className);
        int[] shape = ref.get("input_ids").shape();
        if (shape.length != 2) throw new UserException(ref.path() + ": input_ids is " + Arrays.toString(shape) + ", expected [batch, length]");
        int batch = shape[0];
        int[] ids = ref.ints("input_ids");
        int[] mask = ref.contains("attention_mask") ? ref.ints("attention_mask") : null;
        checkIds(ref, "input_ids", ids, config.vocabSize());
        if (mask != null && mask.length != ids.length) throw new UserException(ref.path() + ": attention_mask and input_ids differ in size");

        int[] labels = ref.contains("labels") ? ref.ints("labels") : null;
        if (labels != null && labels.length != ids.length) throw new UserException(ref.path() + ": labels and input_ids differ in size");
        // with labels, one forward gives the outputs and HF's losses (Mixtral's aux loss included)
        LlamaModel.CausalLmOutput withLoss = labels == null ? null : model.forward(ids, mask, labels, batch);
        LlamaModel.Output out = withLoss == null ? model.forward(ids, mask, batch) : withLoss.output();
        report.values("logits", masked(ref.floats("logits"), mask), masked(out.logits().toArray(), mask), ParityRunner.OUTPUT_TOLERANCE);
        for (int i = 0; i < out.hiddenStates().size(); i++) {
            String name = "hidden_states." + i;
            if (ref.contains(name)) report.values(name, masked(ref.floats(name), mask), masked(out.hiddenStates().get(i).toArray(), mask), ParityRunner.OUTPUT_TOLERANCE);
        }
        if (ref.contains("hidden_states." + out.hiddenStates().size())) report.missing("hidden_states." + out.hiddenStates().size() + " (the model has fewer layers)");
        routing(ref, model, out, withLoss, report);
        if (ref.contains("loss") && withLoss != null) lossAndGradients(ref, model, withLoss.loss(), report);
        if (ref.contains("gen.input_ids") && ref.contains("gen.output_ids")) generation(ref, model, report);
        return report;
    }

    /** The checks of a routed model (router logits, chosen experts, its losses); a dense model has none. */
    void routing(SafetensorsFile ref, LlamaModel model, LlamaModel.Output out, LlamaModel.CausalLmOutput withLoss, ParityReport report) {}

    private static void lossAndGradients(SafetensorsFile ref, LlamaModel model, Tensor loss, ParityReport report) {
        report.values("loss", ref.floats("loss"), loss.toArray(), ParityRunner.OUTPUT_TOLERANCE);
        loss.backward();
        Gradients.check(ref, model.parameters(), report);
    }

    private static void generation(SafetensorsFile ref, LlamaModel model, ParityReport report) {
        int[] promptShape = ref.get("gen.input_ids").shape(), outShape = ref.get("gen.output_ids").shape();
        if (promptShape.length != 2 || outShape.length != 2 || outShape[0] != promptShape[0] || outShape[1] < promptShape[1]) {
            throw new UserException(ref.path() + ": gen.output_ids " + Arrays.toString(outShape) + " does not extend gen.input_ids " + Arrays.toString(promptShape));
        }
        int batch = promptShape[0], promptLength = promptShape[1], steps = outShape[1] - promptLength;
        int[] prompt = ref.ints("gen.input_ids");
        checkIds(ref, "gen.input_ids", prompt, model.config().vocabSize());
        int[] mask = ref.contains("gen.attention_mask") ? ref.ints("gen.attention_mask") : null;
        if (mask != null && mask.length != prompt.length) throw new UserException(ref.path() + ": gen.attention_mask and gen.input_ids differ in size");
        GreedyDecoder.Result result = new GreedyDecoder(model).generate(prompt, mask, batch, steps);
        int[] output = new int[batch * outShape[1]];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(prompt, b * promptLength, output, b * outShape[1], promptLength);
            System.arraycopy(result.tokens(), b * steps, output, b * outShape[1] + promptLength, steps);
        }
        report.exact("gen.output_ids", ref.ints("gen.output_ids"), output);
        if (ref.contains("gen.logits")) report.values("gen.logits", ref.floats("gen.logits"), result.logits(), ParityRunner.OUTPUT_TOLERANCE);
    }

    static void checkIds(SafetensorsFile ref, String name, int[] ids, int vocab) {
        for (int id : ids) if (id < 0 || id >= vocab) throw new UserException(ref.path() + ": " + name + " holds id " + id + ", outside the vocabulary [0, " + vocab + ")");
    }

    /** The rows of {@code values} (B*T rows of equal width) whose mask is 1; all of them without a mask or on a size mismatch (then reported as such). */
    static float[] masked(float[] values, int[] mask) {
        if (mask == null || values.length % mask.length != 0) return values;
        int width = values.length / mask.length, kept = 0;
        for (int m : mask) if (m != 0) kept++;
        float[] out = new float[kept * width];
        int at = 0;
        for (int r = 0; r < mask.length; r++) {
            if (mask[r] == 0) continue;
            System.arraycopy(values, r * width, out, at, width);
            at += width;
        }
        return out;
    }
}
