package org.seemore.data.synth;

import org.junit.jupiter.api.Test;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.RgbImage;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShapesDatasetTest {
    private static final ShapesConfig CONFIG = new ShapesConfig(32, 1);

    @Test
    void sameSeedGivesIdenticalImagesAndCaptions() {
        List<Example> first = ShapesDataset.generate(CONFIG, Split.TRAIN, 50);
        List<Example> second = ShapesDataset.generate(new ShapesConfig(32, 1), Split.TRAIN, 50);

        for (int i = 0; i < 50; i++) {
            assertThat(second.get(i).answer()).isEqualTo(first.get(i).answer());
            assertThat(pixels(second.get(i))).isEqualTo(pixels(first.get(i)));
        }
    }

    @Test
    void differentSeedGivesDifferentData() {
        List<Example> first = ShapesDataset.generate(CONFIG, Split.TRAIN, 50);
        List<Example> other = ShapesDataset.generate(CONFIG.withSeed(2), Split.TRAIN, 50);

        long sameCaptions = 0;
        for (int i = 0; i < 50; i++) {
            if (first.get(i).answer().equals(other.get(i).answer())) sameCaptions++;
            assertThat(pixels(other.get(i))).isNotEqualTo(pixels(first.get(i)));
        }
        assertThat(sameCaptions).isLessThan(5);
    }

    /**
     * Pins the output so a change to the generator, the renderer or the JVM's arithmetic that would
     * silently change the dataset fails here. If the change is intended, update the values.
     */
    @Test
    void outputIsPinned() {
        ShapesDataset.Sample sample = ShapesDataset.sample(new ShapesConfig(32, 0), Split.TEST, 0);
        CRC32 crc = new CRC32();
        crc.update(sample.image().rgb());

        assertThat(sample.scene().caption()).isEqualTo(PINNED_CAPTION);
        assertThat(Long.toHexString(crc.getValue())).isEqualTo(PINNED_CRC);
    }

    private static final String PINNED_CAPTION = "a small green triangle at the bottom left";
    private static final String PINNED_CRC = "82352d1";

    @Test
    void examplesCarryTheirOriginAndAnImageOfTheConfiguredSize() {
        Example example = ShapesDataset.example(CONFIG.withImageSize(48), Split.TEST, 12);

        assertThat(example.origin()).isEqualTo("synthetic:shapes/test#12");
        assertThat(example.prompt()).isEmpty();
        assertThat(example.image()).isInstanceOfSatisfying(ImageSource.PixelImage.class, image -> {
            assertThat(image.origin()).isEqualTo("synthetic:shapes/test#12");
            assertThat(image.image().width()).isEqualTo(48);
            assertThat(image.image().height()).isEqualTo(48);
        });
    }

    @Test
    void captionsParseBackToTheSceneThatWasDrawn() {
        for (Split split : Split.values()) {
            for (int index = 0; index < 200; index++) {
                ShapesDataset.Sample sample = ShapesDataset.sample(CONFIG, split, index);
                Example example = ShapesDataset.example(CONFIG, split, index);

                assertThat(example.answer()).matches("[a-z ]+");
                assertThat(Scene.parse(example.answer())).isEqualTo(sample.scene());
                assertThat(sample.scene().objects()).hasSizeBetween(1, 2);
                assertThat(sample.scene().objects().stream().map(SceneObject::cell).distinct())
                        .hasSize(sample.scene().objects().size());
            }
        }
    }

    @Test
    void heldoutPairsNeverOccurOutsideTheHeldoutSplit() {
        Set<ShapeColor> seen = new HashSet<>();
        for (Split split : List.of(Split.TRAIN, Split.VALIDATION, Split.TEST)) {
            int count = split == Split.TRAIN ? 3000 : 500;
            for (int index = 0; index < count; index++) {
                Scene scene = scene(split, index);
                for (SceneObject object : scene.objects()) {
                    assertThat(ShapesDataset.HELDOUT_PAIRS).as(split.id() + "#" + index).doesNotContain(object.shapeColor());
                    seen.add(object.shapeColor());
                }
            }
        }
        assertThat(seen).as("every other pair is seen in training").hasSize(Shape.values().length * Color.values().length - 4);
    }

    @Test
    void everyHeldoutSceneContainsAHeldoutPair() {
        Set<ShapeColor> heldoutSeen = new HashSet<>();
        for (int index = 0; index < 500; index++) {
            Scene scene = scene(Split.HELDOUT, index);
            assertThat(ShapesDataset.HELDOUT_PAIRS.stream().anyMatch(scene::contains)).as("heldout#" + index).isTrue();
            scene.objects().forEach(object -> heldoutSeen.add(object.shapeColor()));
        }
        assertThat(heldoutSeen).containsAll(ShapesDataset.HELDOUT_PAIRS);
    }

    @Test
    void heldoutPairsLeaveEveryShapeAndColorInTraining() {
        assertThat(ShapesDataset.HELDOUT_PAIRS).hasSize(4);
        assertThat(ShapesDataset.HELDOUT_PAIRS.stream().map(ShapeColor::shape)).containsExactlyInAnyOrder(Shape.values());
        assertThat(ShapesDataset.HELDOUT_PAIRS.stream().map(ShapeColor::color).distinct()).hasSize(4);
        assertThat(ShapesDataset.HELDOUT_PAIRS.stream().map(ShapeColor::toString))
                .containsExactly("yellow circle", "blue square", "orange triangle", "green star");
    }

    @Test
    void trainingCoversEveryAttribute() {
        Set<Size> sizes = EnumSet.noneOf(Size.class);
        Set<Cell> cells = EnumSet.noneOf(Cell.class);
        int[] objectCounts = new int[3];
        for (int index = 0; index < 1000; index++) {
            Scene scene = scene(Split.TRAIN, index);
            objectCounts[scene.objects().size()]++;
            scene.objects().forEach(object -> {
                sizes.add(object.size());
                cells.add(object.cell());
            });
        }
        assertThat(sizes).containsExactlyInAnyOrder(Size.values());
        assertThat(cells).containsExactlyInAnyOrder(Cell.values());
        assertThat(objectCounts[1]).as("one-object scenes").isBetween(400, 600);
        assertThat(objectCounts[2]).as("two-object scenes").isBetween(400, 600);
    }

    @Test
    void splitsAreIndependentStreams() {
        List<Example> testAlone = ShapesDataset.generate(CONFIG, Split.TEST, 30);
        ShapesDataset.generate(CONFIG, Split.TRAIN, 500);
        List<Example> testAfterTrain = ShapesDataset.generate(CONFIG, Split.TEST, 30);
        List<Example> longerTest = ShapesDataset.generate(CONFIG, Split.TEST, 60);
        List<Example> validation = ShapesDataset.generate(CONFIG, Split.VALIDATION, 30);

        for (int i = 0; i < 30; i++) {
            assertThat(pixels(testAfterTrain.get(i))).isEqualTo(pixels(testAlone.get(i)));
            assertThat(pixels(longerTest.get(i))).as("a prefix of a longer split is the shorter split").isEqualTo(pixels(testAlone.get(i)));
            assertThat(longerTest.get(i).answer()).isEqualTo(testAlone.get(i).answer());
            assertThat(pixels(validation.get(i))).isNotEqualTo(pixels(testAlone.get(i)));
        }
    }

    @Test
    void configRejectsUnusableImageSizes() {
        assertThatThrownBy(() -> new ShapesConfig(16, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16");
        assertThatThrownBy(() -> new ShapesConfig(4096, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ShapesConfig.defaults().imageSize()).isEqualTo(ShapesConfig.DEFAULT_IMAGE_SIZE);
    }

    @Test
    void splitIdsRoundTrip() {
        for (Split split : Split.values()) assertThat(Split.fromId(split.id())).isEqualTo(split);
        assertThatThrownBy(() -> Split.fromId("validation")).hasMessageContaining("'validation'");
    }

    private static Scene scene(Split split, int index) {
        return ShapesDataset.scene(split, ShapesDataset.random(CONFIG, split, index));
    }

    private static byte[] pixels(Example example) {
        RgbImage image = ((ImageSource.PixelImage) example.image()).image();
        return image.rgb();
    }
}
