package org.seemore.model.llava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.UserException;
import org.seemore.io.HfFixtures;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/** {@link LlavaModel} beyond the fixtures' own cases: the image-token check, the loss's mask, stopping at an end id, text only. */
class LlavaModelTest {
    private static final HfModelDirectory DIR = HfModelDirectory.open(HfFixtures.model("llava"));
    private static final SafetensorsFile REF = SafetensorsFile.read(DIR.directory().resolve("reference.safetensors"));
    private static final LlavaModel MODEL = LlavaModel.load(DIR);

    private static int[] ints(String name) {
        return Arrays.stream(REF.longs(name)).mapToInt(Math::toIntExact).toArray();
    }

    private static Tensor floats(String name) {
        return Tensor.of(REF.floats(name), REF.get(name).shape());
    }

    @Test
    void aPromptWhoseImageTokensDoNotFillItsImagesIsOneLine() {
        int[] ids = ints("gen.input_ids");
        int[] short1 = ids.clone();
        short1[3] = 7; // one image token fewer
        assertThatThrownBy(() -> MODEL.forward(floats("gen.pixel_values"), short1, null, 1))
                .isInstanceOf(UserException.class)
                .hasMessage("the prompt holds 15 image tokens (id 500) for 1 image of 16 features each (image_seq_length 16): expand each image to 16 image tokens");
        assertThatThrownBy(() -> MODEL.generate(null, ids, null, 1, 2, List.of())).hasMessageContaining("holds 16 image tokens (id 500) for 0 images");
    }

    @Test
    void aDirectoryOfAnotherModelIsOneLine() {
        HfModelDirectory llama = HfModelDirectory.open(HfFixtures.model("llama"));
        assertThatThrownBy(() -> LlavaModel.load(llama)).isInstanceOf(UserException.class)
                .hasMessage(llama.directory() + ": a LlamaForCausalLM is not a LlavaForConditionalGeneration");
    }

    @Test
    void theLossCountsOnlyTargetsWhoseShiftedMaskIsOne() {
        int[] ids = ints("input_ids"), mask = ints("attention_mask"), labels = ints("labels");
        Tensor logits = MODEL.forward(floats("pixel_values"), ids, mask, 2).logits();
        int[] unmasked = labels.clone();
        for (int i = 0; i < unmasked.length; i++) if (mask[i] == 0) unmasked[i] = ids[i]; // real ids where the padding is
        float want = REF.floats("loss")[0];
        assertThat(Math.abs(LlavaModel.loss(logits, unmasked, mask).item() - want)).isLessThan(1e-5f);
        assertThat(Math.abs(LlavaModel.loss(logits, unmasked, null).item() - want)).isGreaterThan(1e-3f); // without the mask they count
    }

    @Test
    void generationStopsOnceEverySequenceHasEnded() {
        int[] prompt = ints("gen.input_ids"), want = ints("gen.output_ids");
        int end = 1; // the first new token after the first that the sequence has not produced before
        while (seenBefore(want, prompt.length, end)) end++;
        int steps = end + 1;
        LlavaModel.Generation got = MODEL.generate(floats("gen.pixel_values"), prompt, null, 1, 8, List.of(want[prompt.length + end]));
        assertThat(steps).isLessThan(8);
        assertThat(got.steps()).isEqualTo(steps);
        assertThat(got.outputIds()).containsExactly(Arrays.copyOf(want, prompt.length + steps));
        assertThat(LlavaModelFixturesTest.maxDiff(got.logits(), Arrays.copyOf(REF.floats("gen.logits"), steps * 512))).isLessThan(1e-4);
    }

    @Test
    void aLeftPaddedBatchOfTwoImagesGeneratesWhatEachPromptGeneratesAlone() {
        int[] a = ints("gen.input_ids"), b = Arrays.copyOfRange(a, 2, a.length); // b: 2 tokens shorter, so 2 pads on the left
        b[0] = 1;
        Tensor imageA = floats("gen.pixel_values"), imageB = Shaping.slice(floats("pixel_values"), 0, 1, 1);
        int steps = 5, t = a.length;
        LlavaModel.Generation aloneA = MODEL.generate(imageA, a, null, 1, steps, List.of());
        LlavaModel.Generation aloneB = MODEL.generate(imageB, b, null, 1, steps, List.of());
        int[] ids = new int[2 * t], mask = new int[2 * t];
        System.arraycopy(a, 0, ids, 0, t);
        System.arraycopy(b, 0, ids, t + 2, b.length);
        for (int i = 0; i < 2 * t; i++) mask[i] = i < t || i >= t + 2 ? 1 : 0;
        LlavaModel.Generation both = MODEL.generate(Shaping.concat(0, imageA, imageB), ids, mask, 2, steps, List.of());
        assertThat(Arrays.copyOfRange(both.outputIds(), t, t + steps)).containsExactly(Arrays.copyOfRange(aloneA.outputIds(), t, t + steps));
        assertThat(Arrays.copyOfRange(both.outputIds(), 2 * t + steps, 2 * (t + steps))).containsExactly(Arrays.copyOfRange(aloneB.outputIds(), b.length, b.length + steps));
        int v = 512;
        assertThat(LlavaModelFixturesTest.maxDiff(Arrays.copyOfRange(both.logits(), steps * v, 2 * steps * v), aloneB.logits())).isLessThan(1e-4);
    }

    /** Whether new token {@code i} of {@code ids} (new tokens from {@code start}) occurs among the new tokens before it. */
    private static boolean seenBefore(int[] ids, int start, int i) {
        for (int j = start; j < start + i; j++) if (ids[j] == ids[start + i]) return true;
        return false;
    }

    @Test
    void withoutImagesItIsTheLanguageModel() {
        int[] ids = {1, 17, 300, 42, 9, 3};
        Tensor logits = MODEL.forward(null, ids, null, 2).logits();
        Tensor want = MODEL.languageModel().forward(ids, null, 2).logits();
        assertThat(logits.shape()).containsExactly(2, 3, 512);
        assertThat(logits.toArray()).containsExactly(want.toArray());
        int[] labels = {NnOps.IGNORE_INDEX, 17, 300, 42, 9, 3};
        assertThat(LlavaModel.loss(Shaping.reshape(logits, 2, 3, 512), labels, null).item()).isPositive();
    }
}
