package org.seemore.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.seemore.UserException;
import org.seemore.parity.ParityReport;
import org.seemore.parity.ParityRunner;
import org.seemore.parity.hf.HfFolderParity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code seemore parity FILE|DIR}: runs a PyTorch reference dump or a Hugging Face fixture folder and reports every difference. */
@Command(name = "parity", mixinStandardHelpOptions = true,
        description = {"Check the Java code against reference outputs: print the max absolute",
                "difference of every output and of the worst gradient. Exit 0 when all are",
                "within tolerance, 1 when some are not, 2 when the input cannot be read.",
                "FILE: a seemore reference dump (param.*, input.*, output.*, grad.*, final.*),",
                "  tolerances in docs/fixtures.md.",
                "DIR: a folder in the layout of the Hugging Face fixtures",
                "  (src/test/resources/fixtures/hf/README.md gives it and the tolerances):",
                "  LlamaForCausalLM, Qwen2ForCausalLM (config.json, model.safetensors,",
                "    reference.safetensors): logits and hidden states at unpadded positions,",
                "    loss and gradients within 1e-4, generated ids exactly;",
                "  MixtralForCausalLM: the same, and router_logits, aux_loss, lm_loss within",
                "    1e-4, the experts chosen (top-k of router_logits) exactly;",
                "  CLIPVisionModel, SiglipVisionModel: last_hidden_state, pooler_output and",
                "    hidden_states.i within 1e-4;",
                "  LlavaForConditionalGeneration: vision_feature, image_features, logits,",
                "    loss and every gradient within 1e-4, params_without_grad get none,",
                "    generated ids exactly;",
                "  a tokenizer (tokenizer-cases.jsonl): ids, tokens, decoded text exactly;",
                "  chat templates (templates.json, cases.jsonl): rendered text, errors, ids;",
                "  an image processor (preprocessor_config.json, cases.jsonl): 8-bit images",
                "    exactly, pixel_values within 1e-5;",
                "  or a folder of such folders (image-processors/ runs every processor)."})
public final class ParityCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE|DIR", description = "A .safetensors reference dump (any config; mode eval, noisy, greedy or train), or a fixture folder.")
    Path file;

    @Override
    public Integer call() {
        if (Files.isDirectory(file)) return folders(HfFolderParity.run(file));
        if (!Files.isRegularFile(file)) throw new UserException(file + ": no such file or directory");
        ParityReport report = ParityRunner.run(file);
        System.out.println(file.getFileName() + " (mode " + report.mode() + ")");
        report.lines().forEach(l -> System.out.println("  " + l));
        System.out.println(report.passed() ? "PASS: every value within tolerance" : "FAIL: some values are outside the tolerance");
        return report.passed() ? 0 : 1;
    }

    private static int folders(List<ParityReport> reports) {
        boolean passed = true;
        for (ParityReport report : reports) {
            System.out.println(report.file().getFileName() + " (" + report.mode() + ")" + (report.passed() ? "" : ": FAIL"));
            report.lines().forEach(l -> System.out.println("  " + l));
            passed &= report.passed();
        }
        System.out.println(passed ? "PASS: every value within tolerance" : "FAIL: some values are outside the tolerance");
        return passed ? 0 : 1;
    }
}
