package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.generate.Sampler;
import org.seemore.generate.hf.FakeVisionModel;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.TinyHfModels;

/** caption through a vision-language session (a stand-in model): the chat template's prompt per image, failures per image. */
class HfCaptionTest {
    @TempDir
    Path tmp;

    @Test
    void eachImageIsCaptionedAloneAndABadOneIsReported() throws IOException {
        Path good = tmp.resolve("scene.png");
        ImageIO.write(new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB), "png", good.toFile());
        Path bad = Files.writeString(tmp.resolve("bad.png"), "not an image");
        FakeVisionModel[] model = new FakeVisionModel[1];
        HfSession session = FakeVisionModel.session(TinyHfModels.qwen2Chatml(tmp.resolve("model")), " Hello world", model);
        CaptionCommand command = new CaptionCommand();
        command.prompt = "What is shown?";
        command.maxTokens = 20;
        command.images = List.of(good, bad, good);
        Map<Path, String> captions = new LinkedHashMap<>(), errors = new LinkedHashMap<>();

        HfCaption.caption(session, command, Sampler.greedy(), captions, errors);

        assertThat(captions).containsExactly(Map.entry(good, "Hello world")); // stripped, as chat models start with a space
        assertThat(errors).containsOnlyKeys(bad);
        assertThat(errors.get(bad)).contains(bad.toString()).doesNotContain("\n");
        assertThat(model[0].prompts).hasSize(2);
        String rendered = session.tokenizer().decode(model[0].prompts.getFirst(), false);
        assertThat(rendered).isEqualTo("USER: " + "<image>".repeat(FakeVisionModel.COPIES) + "\nWhat is shown? ASSISTANT:");
    }
}
