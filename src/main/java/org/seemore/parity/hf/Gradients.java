package org.seemore.parity.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.seemore.UserException;
import org.seemore.io.SafetensorsFile;
import org.seemore.parity.ParityReport;
import org.seemore.parity.ParityRunner;
import org.seemore.tensor.Tensor;

/**
 * The gradient checks of a model folder, after {@code loss.backward()}: every {@code grad.<name>}
 * within tolerance; every parameter either has a {@code grad.*} tensor or is listed in the
 * metadata's {@code params_without_grad} (so a dropped gradient tensor fails instead of going
 * unchecked), and the listed ones got no non-zero gradient.
 */
final class Gradients {
    static final String WITHOUT_GRAD = "params_without_grad";

    private Gradients() {}

    static void check(SafetensorsFile ref, Map<String, Tensor> parameters, ParityReport report) {
        if (ref.names().stream().noneMatch(n -> n.startsWith("grad."))) return;
        Set<String> withoutGrad = withoutGrad(ref);
        for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
            String name = "grad." + e.getKey();
            float[] grad = e.getValue().grad() == null ? new float[e.getValue().size()] : e.getValue().grad();
            if (ref.contains(name)) report.gradient(name, ref.floats(name), grad, ParityRunner.GRAD_TOLERANCE);
            else if (!withoutGrad.contains(e.getKey())) report.missing(name + " (neither in the reference nor in " + WITHOUT_GRAD + ")");
        }
        for (String name : ref.names()) {
            if (name.startsWith("grad.") && !parameters.containsKey(name.substring("grad.".length()))) report.missing(name + " (no such parameter)");
        }
        report.requireGradients(parameters.size());
        if (withoutGrad.isEmpty()) return;
        int[] none = new int[withoutGrad.size()], got = new int[withoutGrad.size()];
        int i = 0;
        for (String name : withoutGrad) {
            Tensor p = parameters.get(name);
            if (p == null) report.missing(WITHOUT_GRAD + " " + name + " (no such parameter)");
            else if (p.grad() != null) for (float g : p.grad()) if (g != 0) { got[i] = 1; break; }
            i++;
        }
        report.exact(WITHOUT_GRAD + " (" + withoutGrad.size() + ") get no gradient", none, got);
    }

    /** The metadata's JSON list of parameter names HF gave no gradient; empty without the key. */
    private static Set<String> withoutGrad(SafetensorsFile ref) {
        String json = ref.metadata().get(WITHOUT_GRAD);
        Set<String> names = new LinkedHashSet<>();
        if (json == null) return names;
        try {
            JsonNode node = new ObjectMapper().readTree(json);
            if (!node.isArray()) throw new UserException(ref.path() + ": metadata " + WITHOUT_GRAD + " is not a JSON list");
            for (JsonNode n : node) {
                if (!n.isTextual()) throw new UserException(ref.path() + ": metadata " + WITHOUT_GRAD + " holds " + n + ", not a parameter name");
                names.add(n.textValue());
            }
        } catch (JsonProcessingException e) {
            throw new UserException(ref.path() + ": metadata " + WITHOUT_GRAD + " is not JSON: " + e.getOriginalMessage(), e);
        }
        return names;
    }
}
