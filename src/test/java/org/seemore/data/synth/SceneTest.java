package org.seemore.data.synth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SceneTest {

    @Test
    void captionsReadNaturally() {
        Scene one = Scene.of(new SceneObject(Shape.TRIANGLE, Color.GREEN, Size.SMALL, Cell.CENTER));
        Scene two = Scene.of(
                new SceneObject(Shape.STAR, Color.BLUE, Size.SMALL, Cell.BOTTOM_RIGHT),
                new SceneObject(Shape.CIRCLE, Color.RED, Size.LARGE, Cell.TOP_LEFT));

        assertThat(one.caption()).isEqualTo("a small green triangle in the center");
        assertThat(two.caption()).isEqualTo("a large red circle at the top left and a small blue star at the bottom right");
    }

    @Test
    void objectsAreListedInReadingOrderWhateverTheInputOrder() {
        SceneObject right = new SceneObject(Shape.SQUARE, Color.YELLOW, Size.LARGE, Cell.RIGHT);
        SceneObject top = new SceneObject(Shape.STAR, Color.PURPLE, Size.SMALL, Cell.TOP);

        assertThat(Scene.of(right, top)).isEqualTo(Scene.of(top, right));
        assertThat(Scene.of(right, top).objects()).containsExactly(top, right);
    }

    @Test
    void everyObjectAndEveryPairOfCellsParsesBack() {
        for (Shape shape : Shape.values()) {
            for (Color color : Color.values()) {
                for (Size size : Size.values()) {
                    for (Cell cell : Cell.values()) {
                        Scene scene = Scene.of(new SceneObject(shape, color, size, cell));
                        assertThat(Scene.parse(scene.caption())).isEqualTo(scene);
                    }
                }
            }
        }
        for (Cell first : Cell.values()) {
            for (Cell second : Cell.values()) {
                if (first == second) continue;
                Scene scene = Scene.of(new SceneObject(Shape.CIRCLE, Color.ORANGE, Size.SMALL, first),
                        new SceneObject(Shape.STAR, Color.RED, Size.LARGE, second));
                assertThat(Scene.parse(scene.caption())).isEqualTo(scene);
            }
        }
    }

    @Test
    void twoObjectsCannotShareACell() {
        assertThatThrownBy(() -> Scene.of(
                new SceneObject(Shape.CIRCLE, Color.RED, Size.LARGE, Cell.LEFT),
                new SceneObject(Shape.STAR, Color.BLUE, Size.SMALL, Cell.LEFT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LEFT");
    }

    @Test
    void parseNamesTheBadWord() {
        assertThatThrownBy(() -> Scene.parse("a large pink circle at the top"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'pink'");
        assertThatThrownBy(() -> Scene.parse("a large red circle somewhere"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'somewhere'");
        assertThatThrownBy(() -> Scene.parse("red circle"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'red circle'");
    }

    @Test
    void vocabularyIsSmallAndLowercase() {
        List<String> words = List.copyOf(ShapesDataset.vocabulary());

        assertThat(words).allMatch(word -> word.matches("[a-z]+"));
        assertThat(words).contains("a", "and", "at", "the", "in", "on", "center", "star", "purple", "small");
        assertThat(words).hasSizeLessThanOrEqualTo(25);
    }
}
