package org.seemore.cli;

import static org.seemore.cli.ParityFolderCliTest.assertFails;
import static org.seemore.cli.ParityFolderCliTest.assertPasses;
import static org.seemore.cli.ParityFolderCliTest.copy;
import static org.seemore.cli.ParityFolderCliTest.fixture;
import static org.seemore.cli.ParityFolderCliTest.rewrite;
import static org.seemore.cli.ParityFolderCliTest.shifted;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.io.StoredTensor;

/**
 * {@code seemore parity DIR} on MixtralForCausalLM folders: the shipped one (and the PyTorch-made
 * one of other shapes) passes with router logits, chosen experts, aux and LM losses; a gate weight
 * changed so that other experts win, a changed generated id, a changed or dropped gradient, or a
 * dropped layer's router logits exits 1.
 */
class ParityMixtralCliTest {

    @ParameterizedTest
    @ValueSource(strings = {"hf/mixtral", "hf-other/mixtral-6experts-top3"})
    void mixtralFoldersPass(String name) {
        assertPasses(fixture(name), "logits |ok", "hidden_states.1 |ok", "router_logits.0 |ok", "experts chosen in layer 0 (top-|exact match",
                "experts chosen in layer 1 (top-|exact match", "aux_loss |ok", "lm_loss |ok", "loss |ok", "gen.output_ids |exact match",
                "gen.logits |ok", "worst of |ok");
    }

    @Test
    void aGateRowNegatedChangesTheChosenExperts(@TempDir Path tmp) {
        Path copy = copy(fixture("hf/mixtral"), tmp.resolve("mixtral"));
        rewrite(copy, "model.safetensors", "model.layers.1.block_sparse_moe.gate.weight", t -> {
            float[] v = t.toFloats();
            int width = t.shape()[1];
            for (int c = 0; c < width; c++) v[3 * width + c] = -v[3 * width + c];   // expert 3's logit changes sign
            return StoredTensor.ofFloats(t.name(), t.shape(), v);
        });
        assertFails(copy, "experts chosen in layer 1");
        assertFails(copy, "router_logits.1");
    }

    @Test
    void aChangedGeneratedIdOrGradientFails(@TempDir Path tmp) {
        Path ids = copy(fixture("hf/mixtral"), tmp.resolve("ids"));
        rewrite(ids, "reference.safetensors", "gen.output_ids", t -> {
            long[] v = t.toLongs();
            v[v.length - 2] = (v[v.length - 2] + 1) % 512;
            return StoredTensor.ofLongs(t.name(), t.shape(), v);
        });
        assertFails(ids, "gen.output_ids");
        Path grad = copy(fixture("hf/mixtral"), tmp.resolve("grad"));
        rewrite(grad, "reference.safetensors", "grad.model.layers.0.block_sparse_moe.gate.weight", t -> shifted(t, 9, 2e-4f));
        assertFails(grad, "grad.model.layers.0.block_sparse_moe.gate.weight");
    }

    @Test
    void aDroppedGradientOrRouterLogitsFails(@TempDir Path tmp) {
        Path grad = copy(fixture("hf/mixtral"), tmp.resolve("grad"));
        rewrite(grad, "reference.safetensors", "grad.model.layers.1.block_sparse_moe.experts.5.w2.weight", t -> null);
        assertFails(grad, "grad.model.layers.1.block_sparse_moe.experts.5.w2.weight (neither in the reference nor in params_without_grad)");
        Path router = copy(fixture("hf/mixtral"), tmp.resolve("router"));
        rewrite(router, "reference.safetensors", "router_logits.1", t -> null);
        assertFails(router, "router_logits.1 (the reference has other layers' router logits)");
    }
}
