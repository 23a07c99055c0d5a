package org.seemore.generate.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.hf.ImageProcessor;
import org.seemore.generate.Sampler;
import org.seemore.tensor.Rng;

/** What a vision-language model receives from a session: the chat template's image tokens expanded, the images processed in order. */
class HfSessionImagesTest {
    @TempDir
    static Path tmp;
    static Path dir, red, blue, notAnImage;

    @BeforeAll
    static void build() throws IOException {
        dir = TinyHfModels.qwen2Chatml(tmp.resolve("model"));
        red = png("red.png", 40, 30, 0xD02020);
        blue = png("blue.png", 20, 50, 0x2040E0);
        notAnImage = Files.writeString(tmp.resolve("notes.png"), "not an image");
    }

    private static Path png(String name, int width, int height, int rgb) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) image.setRGB(x, y, rgb ^ (x * 3 + y));
        Path file = tmp.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @Test
    void eachImageBecomesItsImageTokensAndItsPixelValuesInOrder() {
        FakeVisionModel[] model = new FakeVisionModel[1];
        HfSession session = FakeVisionModel.session(dir, "Hello world", model);
        List<Turn> turns = List.of(Turn.user("What is this?", List.of(new ImageSource.FileImage(red))), Turn.assistant("the world"),
                Turn.user("And this?", List.of(new ImageSource.FileImage(blue))));

        HfSession.Prompt prompt = session.prompt(turns);
        HfSession.Reply reply = session.generate(prompt, new HfSession.Settings(20, Sampler.greedy()), new Rng(1), text -> {});

        assertThat(prompt.text()).isEqualTo("USER: <image>\nWhat is this? ASSISTANT: the world USER: <image>\nAnd this? ASSISTANT:");
        int[] ids = model[0].prompts.getFirst();
        assertThat(Arrays.stream(ids).filter(id -> id == TinyHfModels.IMAGE).count()).isEqualTo(2L * FakeVisionModel.COPIES);
        int first = indexOf(ids, TinyHfModels.IMAGE);
        for (int c = 0; c < FakeVisionModel.COPIES; c++) assertThat(ids[first + c]).isEqualTo(TinyHfModels.IMAGE);
        ImageProcessor processor = ImageProcessor.load(org.seemore.data.text.HfFixtures.dir("image-processors").resolve("clip-224"));
        float[] pixels = model[0].pixels.getFirst().toArray();
        assertThat(model[0].pixels.getFirst().shape()).containsExactly(2, 3, 224, 224);
        float[] redPixels = processor.pixelValues(new ImageSource.FileImage(red)), bluePixels = processor.pixelValues(new ImageSource.FileImage(blue));
        assertThat(Arrays.copyOfRange(pixels, 0, redPixels.length)).containsExactly(redPixels);
        assertThat(Arrays.copyOfRange(pixels, redPixels.length, pixels.length)).containsExactly(bluePixels);
        assertThat(reply.text()).isEqualTo("Hello world");
        assertThat(reply.stop()).isEqualTo(HfSession.Stop.EOS);
    }

    @Test
    void aRawPromptPutsTheImageTokensFirst() {
        FakeVisionModel[] model = new FakeVisionModel[1];
        HfSession session = FakeVisionModel.session(dir, "x", model);

        HfSession.Prompt prompt = session.rawPrompt("Describe it.", List.of(new ImageSource.FileImage(red)));

        assertThat(prompt.text()).isEqualTo("<image>\nDescribe it.");
        assertThat(Arrays.copyOf(prompt.ids(), FakeVisionModel.COPIES)).containsOnly(TinyHfModels.IMAGE);
        assertThat(prompt.ids()[FakeVisionModel.COPIES]).isNotEqualTo(TinyHfModels.IMAGE);
    }

    @Test
    void anUnreadableImageOrACountMismatchIsOneLine() {
        FakeVisionModel[] model = new FakeVisionModel[1];
        HfSession session = FakeVisionModel.session(dir, "x", model);

        assertThatThrownBy(() -> session.prompt(List.of(Turn.user("What?", List.of(new ImageSource.FileImage(notAnImage))))))
                .isInstanceOf(UserException.class).hasMessageContaining(notAnImage.toString()).hasMessageNotContaining("\n");
        assertThatThrownBy(() -> session.rawPrompt("<image> and <image>", List.of(new ImageSource.FileImage(red))))
                .isInstanceOf(UserException.class).hasMessage("the prompt has 2 image tokens (id 508) for 1 image");
    }

    private static int indexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) if (ids[i] == id) return i;
        return -1;
    }
}
