package org.seemore.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.seemore.UserException;
import org.seemore.data.image.ImageSource;
import org.seemore.generate.Sampler;
import org.seemore.generate.hf.HfModels;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.Turn;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.tensor.Rng;

/**
 * {@code caption} on a Hugging Face model directory: each image alone, with {@code --prompt} as the
 * user's text, through the chat template when the directory has one (as LLaVA's processors are
 * used), else as a raw prompt after the image tokens.
 */
final class HfCaption {
    private HfCaption() {}

    /** A text-only checkpoint refused in one line, before its weights are read. */
    static HfModelDirectory requireVision(Path dir, String command) {
        HfModelDirectory hf = HfModelDirectory.open(dir);
        if (!HfModels.readsImages(hf.architecture())) {
            throw new UserException(dir + " is a text-only " + hf.architecture().className + " (no vision tower): " + command
                    + " needs a vision-language model such as LlavaForConditionalGeneration; talk to it with 'seemore chat --model " + dir + "'");
        }
        return hf;
    }

    static void caption(CaptionCommand command, Sampler sampler, Map<Path, String> captions, Map<Path, String> errors) {
        HfSession session = HfSession.open(requireVision(command.model, "caption"), command.dtype.parse());
        System.err.println("seemore caption: " + session.summary());
        caption(session, command, sampler, captions, errors);
    }

    /** Captions {@code command}'s images one by one; an image that fails is reported and the others go on. */
    static void caption(HfSession session, CaptionCommand command, Sampler sampler, Map<Path, String> captions, Map<Path, String> errors) {
        HfSession.Settings settings = new HfSession.Settings(command.maxTokens, sampler);
        for (Path image : command.images) {
            List<ImageSource> images = List.of(new ImageSource.FileImage(image));
            try {
                HfSession.Prompt prompt = session.chatTemplate().isPresent()
                        ? session.prompt(List.of(Turn.user(command.prompt, images)))
                        : session.rawPrompt(command.prompt, images);
                captions.put(image, session.generate(prompt, settings, new Rng(command.seed), text -> {}).text().strip());
            } catch (UserException e) {
                command.unreadable(image, e.getMessage(), errors);
            }
        }
    }
}
