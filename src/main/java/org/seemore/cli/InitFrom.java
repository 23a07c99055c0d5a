package org.seemore.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.seemore.UserException;
import org.seemore.data.text.CharTokenizer;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.ModelDirectory;
import org.seemore.model.ModelWeights;
import org.seemore.model.Vlm;
import org.seemore.train.Stage;

/**
 * {@code --init-from DIR}: loads each component (vision, projector, decoder) that the earlier run
 * holds with the same names and shapes, e.g. the decoder of an lm run, the vision encoder of another.
 */
final class InitFrom {
    private static final List<String> COMPONENTS = List.of(Vlm.VISION + ".", Vlm.PROJECTOR + ".", Vlm.LANGUAGE + ".");

    private InitFrom() {}

    static void load(Path dir, Vlm model, CharTokenizer tokenizer, Stage stage) {
        Path weights = dir.resolve(ModelDirectory.WEIGHTS);
        if (!ModelDirectory.isModelDirectory(dir)) throw new UserException("--init-from " + dir + ": not a model directory");
        SafetensorsFile file = SafetensorsFile.read(weights);
        List<String> loaded = new ArrayList<>();
        for (String component : COMPONENTS) {
            boolean matches = model.parameters().entrySet().stream().filter(e -> e.getKey().startsWith(component)).allMatch(e ->
                    file.contains(e.getKey()) && Arrays.equals(file.get(e.getKey()).shape(), e.getValue().shape()));
            if (!matches) continue;
            if (component.equals(Vlm.LANGUAGE + ".") && !CliSupport.tokenizerOf(dir).equals(tokenizer)) {
                throw new UserException("--init-from " + dir + ": its decoder uses another vocabulary; give that run first so its tokenizer is used");
            }
            ModelWeights.load(model.parameters(), weights.toString(), "", file.names(), n -> file.contains(n) ? file.get(n) : null, n -> n.startsWith(component));
            loaded.add(component.substring(0, component.length() - 1));
        }
        if (loaded.isEmpty()) throw new UserException("--init-from " + dir + ": no component matches this model's config (names and shapes)");
        System.out.println("initialized " + String.join(", ", loaded) + " from " + dir);
        if (stage == Stage.PROJECTOR && !(loaded.contains("vision") || loaded.contains("decoder"))) {
            System.err.println("seemore: warning: stage projector freezes vision and decoder, but neither was loaded from " + dir);
        }
    }
}
