package org.seemore.parity.hf;

import java.util.Arrays;
import java.util.List;
import org.seemore.UserException;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.hf.Architecture;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.hf.VisionConfig;
import org.seemore.model.llava.LlavaModel;
import org.seemore.parity.ParityReport;
import org.seemore.parity.ParityRunner;
import org.seemore.tensor.Tensor;

/**
 * A LlavaForConditionalGeneration folder: {@link LlavaModel} on {@code pixel_values},
 * {@code input_ids} and {@code attention_mask}, compared with {@code vision_feature},
 * {@code image_features}, {@code logits} (rows whose mask is 1), LLaVA's {@code loss} on
 * {@code labels} and every {@code grad.<parameter>}; the parameters the metadata's
 * {@code params_without_grad} lists must get no (non-zero) gradient, and a parameter the reference
 * neither differentiates nor lists is a failure, so a dropped {@code grad.*} tensor does not go
 * unnoticed. Then greedy KV-cached generation from {@code gen.pixel_values} and {@code gen.input_ids}
 * against {@code gen.output_ids} (exactly) and {@code gen.logits}.
 */
final class LlavaFolderParity implements FolderParity {
    @Override
    public String kind() {
        return "LlavaForConditionalGeneration";
    }

    @Override
    public boolean accepts(Folder folder) {
        return folder.architecture().filter(a -> a == Architecture.LLAVA).isPresent();
    }

    @Override
    public ParityReport run(Folder folder) {
        SafetensorsFile ref = SafetensorsFile.read(folder.require(Folder.REFERENCE, "the reference inputs and outputs"));
        LlavaModel model;
        try {
            model = LlavaModel.load(HfModelDirectory.open(folder.path()));
        } catch (IllegalArgumentException e) {
            throw new UserException(folder.path() + ": " + e.getMessage(), e);
        }
        ParityReport report = new ParityReport(folder.path(), Architecture.LLAVA.className);
        int[] shape = ref.get("input_ids").shape();
        if (shape.length != 2) throw new UserException(ref.path() + ": input_ids is " + Arrays.toString(shape) + ", expected [batch, length]");
        int batch = shape[0];
        int[] ids = ref.ints("input_ids");
        int[] mask = ref.contains("attention_mask") ? ref.ints("attention_mask") : null;
        LlamaFolderParity.checkIds(ref, "input_ids", ids, model.config().text().vocabSize());
        if (mask != null && mask.length != ids.length) throw new UserException(ref.path() + ": attention_mask and input_ids differ in size");

        LlavaModel.Output out = forward(ref, model, pixels(ref, model, "pixel_values"), ids, mask, batch);
        if (ref.contains("vision_feature")) report.values("vision_feature", ref.floats("vision_feature"), floats(out.visionFeature()), ParityRunner.OUTPUT_TOLERANCE);
        if (ref.contains("image_features")) report.values("image_features", ref.floats("image_features"), floats(out.imageFeatures()), ParityRunner.OUTPUT_TOLERANCE);
        report.values("logits", LlamaFolderParity.masked(ref.floats("logits"), mask), LlamaFolderParity.masked(out.logits().toArray(), mask), ParityRunner.OUTPUT_TOLERANCE);
        if (ref.contains("loss") && ref.contains("labels")) lossAndGradients(ref, model, out, mask, report);
        if (ref.contains("gen.input_ids") && ref.contains("gen.output_ids")) generation(ref, model, report);
        return report;
    }

    private static void lossAndGradients(SafetensorsFile ref, LlavaModel model, LlavaModel.Output out, int[] mask, ParityReport report) {
        int[] labels = ref.ints("labels");
        if (labels.length != out.logits().dim(0) * out.logits().dim(1)) throw new UserException(ref.path() + ": labels and input_ids differ in size");
        Tensor loss = LlavaModel.loss(out.logits(), labels, mask);
        report.values("loss", ref.floats("loss"), loss.toArray(), ParityRunner.OUTPUT_TOLERANCE);
        loss.backward();
        Gradients.check(ref, model.parameters(), report);
    }

    private static void generation(SafetensorsFile ref, LlavaModel model, ParityReport report) {
        int[] promptShape = ref.get("gen.input_ids").shape(), outShape = ref.get("gen.output_ids").shape();
        if (promptShape.length != 2 || outShape.length != 2 || outShape[0] != promptShape[0] || outShape[1] <= promptShape[1]) {
            throw new UserException(ref.path() + ": gen.output_ids " + Arrays.toString(outShape) + " does not extend gen.input_ids " + Arrays.toString(promptShape));
        }
        int batch = promptShape[0], steps = outShape[1] - promptShape[1];
        int[] prompt = ref.ints("gen.input_ids");
        LlamaFolderParity.checkIds(ref, "gen.input_ids", prompt, model.config().text().vocabSize());
        int[] mask = ref.contains("gen.attention_mask") ? ref.ints("gen.attention_mask") : null;
        if (mask != null && mask.length != prompt.length) throw new UserException(ref.path() + ": gen.attention_mask and gen.input_ids differ in size");
        Tensor pixels = ref.contains("gen.pixel_values") ? pixels(ref, model, "gen.pixel_values") : null;
        LlavaModel.Generation result;
        try {
            result = model.generate(pixels, prompt, mask, batch, steps, List.of());
        } catch (UserException e) {
            throw new UserException(ref.path() + ": gen.input_ids: " + e.getMessage(), e);
        }
        report.exact("gen.output_ids", ref.ints("gen.output_ids"), result.outputIds());
        if (ref.contains("gen.logits")) report.values("gen.logits", ref.floats("gen.logits"), result.logits(), ParityRunner.OUTPUT_TOLERANCE);
    }

    private static LlavaModel.Output forward(SafetensorsFile ref, LlavaModel model, Tensor pixels, int[] ids, int[] mask, int batch) {
        try {
            return model.forward(pixels, ids, mask, batch);
        } catch (UserException e) {
            throw new UserException(ref.path() + ": input_ids: " + e.getMessage(), e);
        }
    }

    private static Tensor pixels(SafetensorsFile ref, LlavaModel model, String name) {
        VisionConfig vision = model.config().vision();
        return VisionFolderParity.pixels(ref, name, vision.numChannels(), vision.imageSize());
    }

    private static float[] floats(Tensor t) {
        return t == null ? new float[0] : t.toArray();
    }
}
