package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;
import org.seemore.generate.hf.FakeVisionModel;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.TinyHfModels;
import org.seemore.train.Evaluator;

/** eval's scores for a Hugging Face vision-language model: exact match and character error rate as seemore's evaluator counts them. */
class HfEvalTest {
    @TempDir
    Path tmp;

    @Test
    void answersAreScoredByExactMatchAndCharacterErrorRate() throws IOException {
        Path image = tmp.resolve("scene.png");
        ImageIO.write(new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
        FakeVisionModel[] model = new FakeVisionModel[1];
        HfSession session = FakeVisionModel.session(TinyHfModels.qwen2Chatml(tmp.resolve("model")), "Hello world", model);
        ImageSource source = new ImageSource.FileImage(image);
        List<Example> records = List.of(new Example("a:1", source, "What is it?", "Hello world"),
                new Example("a:2", source, "", "the world"), new Example("a:3", source, "", "never scored"));

        Evaluator.Result r = HfEval.score(session, records, 2);

        assertThat(r.n()).isEqualTo(2);
        assertThat(r.exactMatch()).isEqualTo(0.5);
        double edits = Evaluator.editDistance("Hello world", "the world");
        assertThat(r.charErrorRate()).isEqualTo(edits / ("Hello world".length() + "the world".length()));
        assertThat(r.samples()).extracting(Evaluator.Sample::generated).containsExactly("Hello world", "Hello world");
        assertThat(model[0].prompts).hasSize(2);
    }
}
