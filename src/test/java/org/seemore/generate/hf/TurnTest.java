package org.seemore.generate.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seemore.data.image.ImageSource;

/** A turn's message as chat templates see it: images first by default, or where their positions put them. */
class TurnTest {
    private static final ImageSource A = new ImageSource.FileImage(Path.of("a.png")), B = new ImageSource.FileImage(Path.of("b.png"));

    @Test
    void imagesGoFirstByDefaultAndAtTheirPositionsWhenGiven() {
        Map<String, String> image = Map.of("type", "image");
        assertThat(Turn.user("Hi", List.of(A)).message(true).get("content"))
                .isEqualTo(List.of(image, Map.of("type", "text", "text", "Hi")));
        assertThat(new Turn(Turn.Role.USER, "ab", List.of(A, B), List.of(1, 2)).message(true).get("content"))
                .isEqualTo(List.of(Map.of("type", "text", "text", "a"), image, Map.of("type", "text", "text", "b"), image));
        assertThat(Turn.user("", List.of()).message(true).get("content")).isEqualTo(List.of(Map.of("type", "text", "text", "")));
        assertThat(Turn.assistant("ok").message(false)).isEqualTo(Map.of("role", "assistant", "content", "ok"));
    }

    @Test
    void positionsMustRiseWithinTheText() {
        assertThatThrownBy(() -> new Turn(Turn.Role.USER, "ab", List.of(A, B), List.of(2, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Turn(Turn.Role.USER, "ab", List.of(A), List.of(3))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Turn(Turn.Role.USER, "ab", List.of(A), List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
