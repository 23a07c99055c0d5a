package org.seemore.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.ImageTransform;
import org.seemore.generate.Sampler;
import org.seemore.model.ModelDirectory;
import org.seemore.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seemore caption}: captions images with a trained model. */
@Command(name = "caption", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Caption images (PNG, JPEG, GIF, BMP) with a trained model.")
public final class CaptionCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model or run directory.")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Text the answer continues from (default: none).", defaultValue = "")
    String prompt;

    @Option(names = "--temperature", paramLabel = "T", description = "0 is greedy (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling threshold (default: ${DEFAULT-VALUE}).", defaultValue = "1.0")
    double topP;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Longest caption in characters (default: ${DEFAULT-VALUE}).", defaultValue = "200")
    int maxTokens;

    @Option(names = "--json", description = "Print a JSON list of {\"image\", \"caption\"}.")
    boolean json;

    @Option(names = "--seed", paramLabel = "N", description = "Sampling seed (default: ${DEFAULT-VALUE}).", defaultValue = "1337")
    long seed;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        Sampler sampler = CliSupport.parse("--temperature/--top-k/--top-p", () -> Sampler.of(temperature, topK, topP));
        if (maxTokens < 1) throw new UserException("--max-tokens must be positive");
        MemoryCheck.inference(model);
        ModelDirectory.Loaded loaded = ModelDirectory.load(model);
        List<Example> records = new ArrayList<>();
        for (Path p : images) {
            if (!Files.isRegularFile(p)) throw new UserException(p + ": no such image file");
            records.add(new Example(p.toString(), new ImageSource.FileImage(p), prompt, ""));
        }
        Evaluator evaluator = new Evaluator(loaded.model(), loaded.tokenizer(), ImageTransform.imagenet(loaded.model().config().imageSize()), 16);
        List<Evaluator.Sample> samples = evaluator.caption(records, sampler, seed, maxTokens);
        if (json) {
            List<Map<String, String>> out = new ArrayList<>();
            for (Evaluator.Sample s : samples) {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("image", s.example().origin());
                row.put("caption", s.generated());
                out.add(row);
            }
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
        } else {
            for (Evaluator.Sample s : samples) System.out.println(s.example().origin() + ": " + s.generated());
        }
        return 0;
    }
}
