package org.seemore.generate.hf;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llava.LlavaModel;
import org.seemore.tensor.GradMode;

/**
 * Tiny LLaVA directories for tests: the llava (CLIP + Llama) or llava-siglip (SigLIP + Qwen2)
 * fixture's config.json and weights, {@link TinyHfModels}' tokenizer with {@code <image>} at the
 * fixtures' image_token_index 500, a chat template, and a preprocessor_config.json for the
 * fixtures' 32-pixel towers (CLIP: shortest edge then center crop; SigLIP: a square resize).
 */
public final class TinyLlavaModels {
    /** The fixtures' image_token_index. */
    public static final int IMAGE = 500;

    /** llava-interleave-qwen's form: ChatML with an {@code <image>} line per image part. */
    static final String CHATML_WITH_IMAGES = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' }}"
            + "{% for content in message['content'] %}{% if content['type'] == 'image' %}{{ '<image>\n' }}{% else %}{{ content['text'] }}{% endif %}{% endfor %}"
            + "{{ '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    private TinyLlavaModels() {}

    /** The llava fixture (CLIP tower, Llama decoder) with LLaVA-1.5's chat template. */
    public static Path clip(Path dir) {
        TinyHfModels.build(dir, "llava", TinyHfModels.chatTemplate("llava-1.5"), Map.of("bos_token", "<s>", "eos_token", "</s>"), IMAGE);
        return writeProcessor(dir, """
                {"image_processor_type": "CLIPImageProcessor", "do_resize": true, "size": {"shortest_edge": 32}, "resample": 3,
                 "do_center_crop": true, "crop_size": {"height": 32, "width": 32}, "do_rescale": true, "rescale_factor": 0.00392156862745098,
                 "do_normalize": true, "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
                 "do_convert_rgb": true}""");
    }

    /** The llava-siglip fixture (SigLIP tower, Qwen2 decoder) with a ChatML template that places images. */
    public static Path siglip(Path dir) {
        TinyHfModels.build(dir, "llava-siglip", CHATML_WITH_IMAGES, Map.of("eos_token", "<|im_end|>", "pad_token", "<|endoftext|>"), IMAGE);
        return writeProcessor(dir, """
                {"image_processor_type": "SiglipImageProcessor", "do_resize": true, "size": {"height": 32, "width": 32}, "resample": 3,
                 "do_rescale": true, "rescale_factor": 0.00392156862745098, "do_normalize": true, "image_mean": [0.5, 0.5, 0.5],
                 "image_std": [0.5, 0.5, 0.5]}""");
    }

    private static Path writeProcessor(Path dir, String json) {
        try {
            Files.writeString(dir.resolve(HfSession.PREPROCESSOR), json);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PNG of a seeded pattern (no two calls with different {@code salt} alike). */
    public static Path png(Path file, int width, int height, int salt) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) image.setRGB(x, y, ((x * 37 + salt * 11) & 0xFF) << 16 | ((y * 53 + salt * 5) & 0xFF) << 8 | ((x * y + salt) & 0xFF));
        }
        try {
            ImageIO.write(image, "png", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The session's end ids: generation_config.json's and the tokenizer's eos_token, as {@link HfSession#open} gathers them. */
    public static Set<Integer> eosIds(HfSession session) {
        return new LinkedHashSet<>(session.eosIds());
    }

    /**
     * What transformers' {@code generate} gives for a processed prompt, computed with
     * {@link LlavaModel#generate} directly (not through the session's plug-in): the new tokens, cut
     * before the first end id.
     */
    public static int[] greedyReply(Path dir, HfSession.Prompt prompt, int steps, Set<Integer> eos) {
        LlavaModel model = LlavaModel.load(HfModelDirectory.open(dir));
        int[] out;
        try (var ignored = GradMode.noGrad()) {
            out = model.generate(prompt.pixelValues(), prompt.ids(), null, 1, steps, List.copyOf(eos)).outputIds();
        }
        int[] tokens = Arrays.copyOfRange(out, prompt.ids().length, out.length);
        for (int i = 0; i < tokens.length; i++) if (eos.contains(tokens[i])) return Arrays.copyOf(tokens, i);
        return tokens;
    }
}
