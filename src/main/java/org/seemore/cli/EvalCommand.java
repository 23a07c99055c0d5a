package org.seemore.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seemore.UserException;
import org.seemore.data.DataSource;
import org.seemore.data.image.ImageTransform;
import org.seemore.generate.hf.HfModels;
import org.seemore.model.ModelDirectory;
import org.seemore.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seemore eval}: greedy captions for every record, scored against the reference text. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Caption (or answer) every record greedily and compare with its reference: loss, exact match, character error rate.")
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model or run directory, or a Hugging Face vision-language model directory.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "A data file, or synthetic:shapes:SPLIT (train, val, test, heldout); synthetic:shapes alone is its test split.")
    String data;

    @Option(names = "--limit", paramLabel = "N", description = "Score only the first N records (default: all).", defaultValue = "0")
    int limit;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write {\"loss\", \"exact_match\", \"char_error_rate\", \"n\"} to FILE.")
    Path json;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    DtypeOption dtype;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of synthetic data (default: ${DEFAULT-VALUE}).", defaultValue = "1337")
    long seed;

    @Override
    public Integer call() {
        if (limit < 0) throw new UserException("--limit must be >= 0");
        dtype.parse();
        if (HfModels.isHuggingFace(model)) return HfEval.run(this);
        dtype.checkOwnModel(model);
        MemoryCheck.inference(model);
        ModelDirectory.Loaded loaded = ModelDirectory.load(model);
        var config = loaded.model().config();
        // the synthetic set's default split is train (what train wants); scoring on it would only measure memory
        String spec = data.equals(DataSource.SYNTHETIC) ? DataSource.SYNTHETIC + ":test" : data;
        if (DataSource.isSynthetic(spec)) {
            System.out.println("data: " + spec + (spec.equals(data) ? "" : " (the test split; synthetic:shapes:SPLIT names another)"));
        }
        DataSource.Loaded records = DataSource.load(spec, dataOptions.options(config.imageSize(), seed, config.maxTextTokens() - 1));
        CliSupport.reportSkipped(spec, records);
        DataWarnings.truncated(spec, records.examples(), config.maxTextTokens());
        boolean text = records.examples().stream().allMatch(e -> e.image() == null);
        Evaluator evaluator = new Evaluator(loaded.model(), loaded.tokenizer(), text ? null : ImageTransform.imagenet(config.imageSize()), 32);
        Evaluator.Result r = evaluator.evaluate(records.examples(), limit);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("loss", r.loss());
        out.put("exact_match", r.exactMatch());
        out.put("char_error_rate", r.charErrorRate());
        out.put("n", r.n());
        System.out.printf(java.util.Locale.ROOT, "loss %.4f  exact match %.2f%%  character error rate %.2f%%  (%d records)%n",
                r.loss(), 100 * r.exactMatch(), 100 * r.charErrorRate(), r.n());
        if (json != null) JsonReport.write(json, out);
        return 0;
    }
}
