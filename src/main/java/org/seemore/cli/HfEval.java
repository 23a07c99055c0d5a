package org.seemore.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.seemore.UserException;
import org.seemore.data.DataSource;
import org.seemore.data.Example;
import org.seemore.generate.Sampler;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.Turn;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.hf.LlavaConfig;
import org.seemore.tensor.Rng;
import org.seemore.train.Evaluator;

/**
 * {@code eval} on a Hugging Face vision-language model directory: every record's image and prompt
 * are captioned greedily as {@code caption} does, and the answer (without leading and trailing
 * whitespace, which chat models add) is scored as seemore's own models are: exact match and
 * character error rate. The teacher-forced loss is not computed for these models.
 */
final class HfEval {
    private HfEval() {}

    static int run(EvalCommand command) {
        HfModelDirectory hf = HfCaption.requireVision(command.model, "eval");
        int imageSize = hf.config().config() instanceof LlavaConfig llava ? llava.vision().imageSize() : 224;
        String spec = command.data.equals(DataSource.SYNTHETIC) ? DataSource.SYNTHETIC + ":test" : command.data;
        DataSource.Loaded records = DataSource.load(spec, command.dataOptions.options(imageSize, command.seed, 1));
        CliSupport.reportSkipped(spec, records);
        for (Example e : records.examples()) {
            if (e.image() == null) throw new UserException(e.origin() + ": a record without an image; eval of a vision-language model needs images");
        }
        HfSession session = HfSession.open(hf, command.dtype.parse());
        System.err.println("seemore eval: " + session.summary());
        Evaluator.Result r = score(session, records.examples(), command.limit);
        System.out.printf(Locale.ROOT, "exact match %.2f%%  character error rate %.2f%%  (%d records)%n", 100 * r.exactMatch(), 100 * r.charErrorRate(), r.n());
        if (command.json != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("exact_match", r.exactMatch());
            out.put("char_error_rate", r.charErrorRate());
            out.put("n", r.n());
            JsonReport.write(command.json, out);
        }
        return 0;
    }

    /** Greedy answers to the first {@code limit} records (all for 0), scored; the loss is NaN. */
    static Evaluator.Result score(HfSession session, List<Example> data, int limit) {
        List<Example> records = limit > 0 && data.size() > limit ? data.subList(0, limit) : data;
        List<Evaluator.Sample> samples = new ArrayList<>();
        long edits = 0, referenceChars = 0;
        int exact = 0;
        for (Example e : records) {
            List<org.seemore.data.image.ImageSource> images = e.image() == null ? List.of() : List.of(e.image());
            HfSession.Prompt prompt = session.chatTemplate().isPresent()
                    ? session.prompt(List.of(Turn.user(e.prompt(), images)))
                    : session.rawPrompt(e.prompt(), images);
            // room for the answer and some more, as seemore's evaluator allows
            int room = session.tokenizer().encode(e.answer()).length + 16;
            String generated = session.generate(prompt, new HfSession.Settings(room, Sampler.greedy()), new Rng(0), text -> {}).text().strip();
            Evaluator.Sample sample = new Evaluator.Sample(e, generated);
            samples.add(sample);
            if (sample.exact()) exact++;
            edits += Evaluator.editDistance(generated, e.answer());
            referenceChars += e.answer().codePointCount(0, e.answer().length());
        }
        int n = records.size();
        return new Evaluator.Result(Double.NaN, n == 0 ? 0 : (double) exact / n, referenceChars == 0 ? 0 : (double) edits / referenceChars, n, samples);
    }
}
