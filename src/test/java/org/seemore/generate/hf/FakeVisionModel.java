package org.seemore.generate.hf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.seemore.data.image.hf.ImageProcessor;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.Tokenizers;
import org.seemore.data.text.chat.ChatTemplate;
import org.seemore.model.hf.Architecture;
import org.seemore.tensor.Tensor;

/**
 * A stand-in vision-language model for the plug-in point: it records what the session hands it
 * (prompt ids, pixel values) and answers with fixed tokens, then the end id. With it, a session over
 * a tiny directory's tokenizer, LLaVA-1.5's chat template and CLIP's 224-pixel processor tests image
 * handling without a vision tower.
 */
public final class FakeVisionModel implements HfLanguageModel {
    public static final int COPIES = 4;
    public final List<int[]> prompts = new ArrayList<>();
    public final List<Tensor> pixels = new ArrayList<>();
    private final int[] answer;

    public FakeVisionModel(int[] answer) {
        this.answer = answer.clone();
    }

    /** A LLaVA-like session over {@code dir}'s tokenizer (see {@link TinyHfModels}) whose model answers {@code answer}. */
    public static HfSession session(Path dir, String answer, FakeVisionModel[] model) {
        Tokenizer tokenizer = Tokenizers.load(dir);
        model[0] = new FakeVisionModel(tokenizer.encode(answer));
        ImageProcessor processor = ImageProcessor.load(org.seemore.data.text.HfFixtures.dir("image-processors").resolve("clip-224"));
        return new HfSession(dir, Architecture.LLAVA, tokenizer, Optional.of(ChatTemplate.of(TinyHfModels.chatTemplate("llava-1.5"), Map.of())),
                Optional.of(processor), Set.of(TinyHfModels.EOS), model[0]);
    }

    @Override public int maxPositions() { return 128; }
    @Override public int vocabSize() { return 512; }
    @Override public String weightsInMemory() { return "none (a stand-in)"; }
    @Override public Optional<ImageTokens> imageTokens() { return Optional.of(new ImageTokens(TinyHfModels.IMAGE, COPIES)); }

    @Override
    public Generation start(int[] promptIds, Tensor pixelValues, int capacity) {
        prompts.add(promptIds.clone());
        pixels.add(pixelValues);
        return new Generation() {
            private int position;

            @Override
            public float[] logits() {
                float[] row = new float[512];
                row[position < answer.length ? answer[position] : TinyHfModels.EOS] = 1;
                return row;
            }

            @Override
            public float[] step(int token) {
                position++;
                return logits();
            }
        };
    }
}
