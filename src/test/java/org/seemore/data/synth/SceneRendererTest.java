package org.seemore.data.synth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.data.image.RgbImage;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SceneRendererTest {

    @Test
    void objectColorsAreFarApart() {
        Color[] colors = Color.values();
        for (int i = 0; i < colors.length; i++) {
            for (int j = i + 1; j < colors.length; j++) {
                int largestChannelGap = Math.max(Math.abs(colors[i].red() - colors[j].red()),
                        Math.max(Math.abs(colors[i].green() - colors[j].green()), Math.abs(colors[i].blue() - colors[j].blue())));
                assertThat(largestChannelGap).as(colors[i] + " vs " + colors[j]).isGreaterThanOrEqualTo(90);
            }
        }
    }

    /** At each object's center the pixel is the named color, not another one and not background. */
    @ParameterizedTest
    @ValueSource(ints = {24, 32, 48, 96})
    void pixelsAtObjectCentersHaveTheNamedColor(int size) {
        for (Split split : Split.values()) {
            for (int index = 0; index < 100; index++) {
                SplitMix64 rng = ShapesDataset.random(new ShapesConfig(size, 7), split, index);
                Scene scene = ShapesDataset.scene(split, rng);
                List<SceneRenderer.Placement> placements = SceneRenderer.layout(scene, size, rng);
                RgbImage image = SceneRenderer.draw(placements, size, rng);
                for (SceneRenderer.Placement placement : placements) {
                    int[] rgb = pixel(image, (int) placement.centerX(), (int) placement.centerY());
                    Color named = placement.object().color();
                    String where = split.id() + "#" + index + " " + size + "px " + placement.object().phrase()
                            + " center pixel " + rgb[0] + "," + rgb[1] + "," + rgb[2];
                    assertThat(Color.nearest(rgb[0], rgb[1], rgb[2])).as(where).isEqualTo(named);
                    assertThat(Math.abs(rgb[0] - named.red())).as(where).isLessThanOrEqualTo(40);
                    assertThat(Math.abs(rgb[1] - named.green())).as(where).isLessThanOrEqualTo(40);
                    assertThat(Math.abs(rgb[2] - named.blue())).as(where).isLessThanOrEqualTo(40);
                }
            }
        }
    }

    /** Objects stay inside their own cell, so two objects never overlap. */
    @Test
    void objectsStayInsideTheirCells() {
        int size = 32;
        double cellSide = size / 3.0;
        for (int index = 0; index < 300; index++) {
            SplitMix64 rng = ShapesDataset.random(new ShapesConfig(size, 3), Split.TRAIN, index);
            for (SceneRenderer.Placement placement : SceneRenderer.layout(ShapesDataset.scene(Split.TRAIN, rng), size, rng)) {
                Cell cell = placement.object().cell();
                assertThat(placement.centerX() - placement.radius()).isGreaterThanOrEqualTo(cell.column() * cellSide);
                assertThat(placement.centerX() + placement.radius()).isLessThanOrEqualTo((cell.column() + 1) * cellSide);
                assertThat(placement.centerY() - placement.radius()).isGreaterThanOrEqualTo(cell.row() * cellSide);
                assertThat(placement.centerY() + placement.radius()).isLessThanOrEqualTo((cell.row() + 1) * cellSide);
            }
        }
    }

    /** Away from the objects, every pixel is a near-gray that no object color could be mistaken for. */
    @Test
    void backgroundIsNeverSaturated() {
        for (int index = 0; index < 200; index++) {
            RgbImage image = ShapesDataset.sample(new ShapesConfig(32, 11), Split.TRAIN, index).image();
            int saturatedPixels = 0;
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int[] rgb = pixel(image, x, y);
                    int spread = Math.max(rgb[0], Math.max(rgb[1], rgb[2])) - Math.min(rgb[0], Math.min(rgb[1], rgb[2]));
                    if (spread > 40) saturatedPixels++;
                }
            }
            // Two large objects cover at most about 2 * 0.95^2 * 10.7^2 ~ 210 pixels (plus anti-aliased edges).
            assertThat(saturatedPixels).as("train#" + index).isLessThan(260);
        }
        SplitMix64 rng = new SplitMix64(5);
        RgbImage empty = SceneRenderer.draw(List.of(), 96, rng);
        for (int i = 0; i < 96 * 96; i++) {
            int[] rgb = pixel(empty, i % 96, i / 96);
            int spread = Math.max(rgb[0], Math.max(rgb[1], rgb[2])) - Math.min(rgb[0], Math.min(rgb[1], rgb[2]));
            assertThat(spread).isLessThanOrEqualTo(30);
            assertThat(rgb[0]).isBetween(30, 200);
        }
    }

    /** At 32x32 the four small shapes cover clearly different pixels. */
    @Test
    void smallShapesStayDistinctAt32Pixels() {
        double radius = Size.SMALL.cellFraction() * (32 / 3.0) / 2;
        Shape[] shapes = Shape.values();
        for (int i = 0; i < shapes.length; i++) {
            for (int j = i + 1; j < shapes.length; j++) {
                double difference = 0;
                for (int y = -4; y <= 4; y++) {
                    for (int x = -4; x <= 4; x++) {
                        difference += Math.abs(coverage(shapes[i], x, y, radius) - coverage(shapes[j], x, y, radius));
                    }
                }
                assertThat(difference).as(shapes[i] + " vs " + shapes[j] + " (pixels of difference)").isGreaterThan(4.0);
            }
        }
    }

    @Test
    void sameGeneratorStateGivesSamePixels() {
        Scene scene = Scene.of(new SceneObject(Shape.STAR, Color.ORANGE, Size.LARGE, Cell.BOTTOM));
        RgbImage first = SceneRenderer.render(scene, 48, new SplitMix64(42));
        RgbImage second = SceneRenderer.render(scene, 48, new SplitMix64(42));
        RgbImage other = SceneRenderer.render(scene, 48, new SplitMix64(43));

        assertThat(second.rgb()).isEqualTo(first.rgb());
        assertThat(other.rgb()).isNotEqualTo(first.rgb());
    }

    private static double coverage(Shape shape, int pixelX, int pixelY, double radius) {
        int inside = 0;
        for (int sy = 0; sy < 8; sy++) {
            for (int sx = 0; sx < 8; sx++) {
                if (shape.contains((pixelX + (sx + 0.5) / 8) / radius, (pixelY + (sy + 0.5) / 8) / radius)) inside++;
            }
        }
        return inside / 64.0;
    }

    private static int[] pixel(RgbImage image, int x, int y) {
        int offset = (y * image.width() + x) * 3;
        return new int[] {image.rgb()[offset] & 0xFF, image.rgb()[offset + 1] & 0xFF, image.rgb()[offset + 2] & 0xFF};
    }
}
