package org.seemore.parity.hf;

import java.util.List;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.hf.Architecture;
import org.seemore.model.llama.LlamaModel;
import org.seemore.parity.ParityReport;
import org.seemore.parity.ParityRunner;
import org.seemore.tensor.Tensor;

/**
 * A MixtralForCausalLM folder: every check of {@link LlamaFolderParity} (logits and hidden states
 * at unpadded positions, {@code loss} = {@code lm_loss} + coef * {@code aux_loss} and every
 * gradient, greedy generation), plus each layer's {@code router_logits.i} at every position, padded
 * ones included as HF stores them, the experts chosen there compared exactly with the top-k of the
 * reference's router logits (most probable first), and {@code aux_loss} and {@code lm_loss}.
 */
final class MixtralFolderParity extends LlamaFolderParity {

    @Override
    public String kind() {
        return "MixtralForCausalLM";
    }

    @Override
    public boolean accepts(Folder folder) {
        return folder.architecture().filter(a -> a == Architecture.MIXTRAL).isPresent();
    }

    @Override
    void routing(SafetensorsFile ref, LlamaModel model, LlamaModel.Output out, LlamaModel.CausalLmOutput withLoss, ParityReport report) {
        int k = model.config().moe().orElseThrow().numExpertsPerTok();
        List<Tensor> logits = out.routerLogits();
        boolean routed = ref.names().stream().anyMatch(n -> n.startsWith("router_logits."));
        for (int i = 0; i < logits.size(); i++) {
            String name = "router_logits." + i;
            if (!ref.contains(name)) {
                if (routed) report.missing(name + " (the reference has other layers' router logits)");
                continue;
            }
            float[] want = ref.floats(name), got = logits.get(i).toArray();
            report.values(name, want, got, ParityRunner.OUTPUT_TOLERANCE);
            int experts = logits.get(i).dim(1);
            if (want.length == got.length) report.exact("experts chosen in layer " + i + " (top-" + k + ")", topK(want, experts, k), out.chosenExperts().get(i));
        }
        if (ref.contains("router_logits." + logits.size())) report.missing("router_logits." + logits.size() + " (the model has fewer layers)");
        if (withLoss == null) return;
        if (ref.contains("aux_loss")) report.values("aux_loss", ref.floats("aux_loss"), withLoss.auxLoss().toArray(), ParityRunner.OUTPUT_TOLERANCE);
        if (ref.contains("lm_loss")) report.values("lm_loss", ref.floats("lm_loss"), withLoss.lmLoss().toArray(), ParityRunner.OUTPUT_TOLERANCE);
    }

    /** The {@code k} largest entries' indices of each row of {@code logits} (rows of {@code width}), largest first, as torch.topk. */
    static int[] topK(float[] logits, int width, int k) {
        int rows = logits.length / width;
        int[] out = new int[rows * k];
        for (int r = 0; r < rows; r++) {
            boolean[] taken = new boolean[width];
            for (int j = 0; j < k; j++) {
                int best = -1;
                for (int e = 0; e < width; e++) {
                    if (!taken[e] && (best < 0 || logits[r * width + e] > logits[r * width + best])) best = e;
                }
                taken[best] = true;
                out[r * k + j] = best;
            }
        }
        return out;
    }
}
