package org.seemore.cli;

import java.nio.file.Path;
import org.seemore.UserException;
import org.seemore.generate.hf.WeightDtype;
import picocli.CommandLine.Option;

/**
 * {@code --dtype} of the commands that run a Hugging Face directory (chat, caption, eval, serve): how
 * the decoder's matrices are held in memory. seemore's own models are float32, as they were trained:
 * {@code auto} and {@code f32} say just that, {@code bf16} is refused in one line.
 */
final class DtypeOption {
    @Option(names = "--dtype", paramLabel = "auto|f32|bf16", defaultValue = "auto",
            description = "Hugging Face directories: the decoder's weights in memory. auto keeps them as stored (a BF16 checkpoint stays "
                    + "bfloat16: half the memory of f32, decoding ~2x faster; F16 is widened to f32), f32 widens, bf16 rounds "
                    + "(default: ${DEFAULT-VALUE}). seemore's own models run in float32 and refuse bf16.")
    String dtype;

    /** The value, or a one-line error naming the flag. */
    WeightDtype parse() {
        return CliSupport.parse("--dtype", () -> WeightDtype.parse(dtype));
    }

    /** For one of seemore's own models (float32 only): bf16 is refused in one line. */
    void checkOwnModel(Path model) {
        if (parse() == WeightDtype.BF16) {
            throw new UserException("--dtype bf16: " + model + " is a seemore model, which runs in float32; --dtype applies to Hugging Face checkpoints");
        }
    }
}
