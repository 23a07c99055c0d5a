package org.seemore.generate.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.seemore.UserException;

/** LLaVA's processor-side expansion: each image token becomes image_seq_length copies. */
class ImageTokensTest {
    @Test
    void eachImageTokenIsRepeated() {
        ImageTokens tokens = new ImageTokens(9, 3);

        assertThat(tokens.expand(new int[] {1, 9, 4, 9, 5}, 2)).containsExactly(1, 9, 9, 9, 4, 9, 9, 9, 5);
        assertThat(tokens.expand(new int[] {1, 4}, 0)).containsExactly(1, 4);
    }

    @Test
    void theCountMustMatchTheImages() {
        assertThatThrownBy(() -> new ImageTokens(9, 3).expand(new int[] {1, 4}, 1))
                .isInstanceOf(UserException.class).hasMessage("the prompt has 0 image tokens (id 9) for 1 image");
    }
}
