package org.seemore.parity.hf;

import java.util.Arrays;
import java.util.List;
import org.seemore.UserException;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.hf.Architecture;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.hfvision.HfVisionModel;
import org.seemore.parity.ParityReport;
import org.seemore.parity.ParityRunner;
import org.seemore.tensor.Tensor;

/**
 * A CLIPVisionModel or SiglipVisionModel folder (or the tower of a CLIPModel or SiglipModel):
 * {@link HfVisionModel} on {@code pixel_values}, compared with {@code last_hidden_state},
 * {@code pooler_output} and every {@code hidden_states.i} of reference.safetensors. HF defines no
 * loss for a bare tower, so a reference holding {@code grad.*} tensors is reported as unchecked
 * (a failure) rather than compared against a guessed loss. Nothing assumes the fixtures' shapes.
 */
final class VisionFolderParity implements FolderParity {

    @Override
    public String kind() {
        return "CLIPVisionModel, SiglipVisionModel";
    }

    @Override
    public boolean accepts(Folder folder) {
        return folder.architecture().filter(a -> a == Architecture.CLIP_VISION || a == Architecture.SIGLIP_VISION
                || a == Architecture.CLIP || a == Architecture.SIGLIP).isPresent();
    }

    @Override
    public ParityReport run(Folder folder) {
        SafetensorsFile ref = SafetensorsFile.read(folder.require(Folder.REFERENCE, "the reference inputs and outputs"));
        HfModelDirectory dir = HfModelDirectory.open(folder.path());
        HfVisionModel model;
        try {
            model = HfVisionModel.load(dir);
        } catch (IllegalArgumentException e) {
            throw new UserException(folder.path() + ": " + e.getMessage(), e);
        }
        ParityReport report = new ParityReport(folder.path(), dir.architecture().className);
        HfVisionModel.Output out = model.forward(pixels(ref, "pixel_values", model.config().vision().numChannels(), model.config().vision().imageSize()));
        report.values("last_hidden_state", ref.floats("last_hidden_state"), out.lastHiddenState().toArray(), ParityRunner.OUTPUT_TOLERANCE);
        if (ref.contains("pooler_output")) {
            if (out.poolerOutput() == null) report.missing("pooler_output (the tower has no head)");
            else report.values("pooler_output", ref.floats("pooler_output"), out.poolerOutput().toArray(), ParityRunner.OUTPUT_TOLERANCE);
        }
        List<Tensor> hidden = out.hiddenStates();
        for (int i = 0; i < hidden.size(); i++) {
            String name = "hidden_states." + i;
            if (ref.contains(name)) report.values(name, ref.floats(name), hidden.get(i).toArray(), ParityRunner.OUTPUT_TOLERANCE);
        }
        if (ref.contains("hidden_states." + hidden.size())) report.missing("hidden_states." + hidden.size() + " (the tower has fewer layers)");
        if (ref.names().stream().anyMatch(n -> n.startsWith("grad."))) report.missing("grad.* (a bare vision tower has no HF loss to differentiate)");
        return report;
    }

    /** {@code name} as an image batch (B, C, S, S) of the tower's channels and size; anything else is a one-line error. */
    static Tensor pixels(SafetensorsFile ref, String name, int channels, int size) {
        int[] shape = ref.get(name).shape();
        if (shape.length != 4 || shape[1] != channels || shape[2] != size || shape[3] != size) {
            throw new UserException(ref.path() + ": " + name + " is " + Arrays.toString(shape) + ", expected [batch, " + channels + ", " + size + ", " + size + "]");
        }
        return Tensor.of(ref.floats(name), shape);
    }
}
