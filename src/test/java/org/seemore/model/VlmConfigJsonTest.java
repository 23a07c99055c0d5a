package org.seemore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The config JSON is read strictly: a missing key, a string or a fraction where a whole number belongs, are named. */
class VlmConfigJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode tiny() throws Exception {
        return (ObjectNode) JSON.readTree(Presets.get("tiny", 20).toJson());
    }

    @Test
    void aMissingKeyIsNamedAsMissing() throws Exception {
        ObjectNode config = tiny();
        config.remove("n_layer");
        assertThatThrownBy(() -> VlmConfig.fromJson(config.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing key \"n_layer\"")
                .hasMessageNotContaining("positive");
        config.remove("top_k");
        assertThatThrownBy(() -> VlmConfig.fromJson(config.toString())).hasMessageContaining("missing keys \"n_layer\", \"top_k\"");
    }

    @Test
    void stringsAndFractionsForWholeNumbersAreRefusedWithTheirValue() throws Exception {
        assertThatThrownBy(() -> VlmConfig.fromJson(tiny().put("n_embd", "32").toString()))
                .hasMessage("n_embd must be a whole number, got \"32\"");
        assertThatThrownBy(() -> VlmConfig.fromJson(tiny().put("n_embd", 32.5).toString()))
                .hasMessage("n_embd must be a whole number, got 32.5");
        assertThatThrownBy(() -> VlmConfig.fromJson(tiny().put("max_pos", 10_000_000_000L).toString()))
                .hasMessageContaining("max_pos").hasMessageContaining("10000000000");
        assertThatThrownBy(() -> VlmConfig.fromJson(tiny().putNull("n_head").toString()))
                .hasMessage("n_head must be a whole number, got null");
        assertThatThrownBy(() -> VlmConfig.fromJson(tiny().put("dropout", "0.1").toString()))
                .hasMessage("dropout must be a number, got \"0.1\"");
        assertThatThrownBy(() -> VlmConfig.fromJson(tiny().put("image_tokens", 1).toString()))
                .hasMessageContaining("image_tokens").hasMessageContaining("got 1");
        assertThatThrownBy(() -> VlmConfig.fromJson("[1, 2]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> VlmConfig.fromJson("{\"img_size\": 32")).hasMessageContaining("line 1").hasMessageNotContaining("\n");
    }

    @Test
    void wholeNumbersWrittenAsDecimalsAndOmittedCoefficientsAreAccepted() throws Exception {
        VlmConfig tiny = Presets.get("tiny", 20);
        assertThat(VlmConfig.fromJson(tiny().put("n_embd", 32.0).toString())).isEqualTo(tiny);
        // the PyTorch reference's configs have no router_z_loss_coef or capacity_factor: both default to 0
        ObjectNode reference = tiny();
        reference.remove("router_z_loss_coef");
        reference.remove("capacity_factor");
        assertThat(VlmConfig.fromJson(reference.toString())).isEqualTo(tiny);
    }

    @Test
    void aConfigWhoseTensorsCannotBeAllocatedIsRefusedBeforeAllocating() {
        // n_embd 1000000: each expert's fc1 weight would hold 4e12 numbers, more than a Java array can
        assertThatThrownBy(() -> VlmConfig.fromJson(tiny().put("n_embd", 1_000_000).put("n_head", 1).toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n_embd 1000000")
                .hasMessageContaining("2147483647");
        assertThatThrownBy(() -> VlmConfig.fromJson(tiny().put("img_size", 1_048_576).put("patch_size", 1).toString()))
                .hasMessageContaining("img_size 1048576");
    }
}
