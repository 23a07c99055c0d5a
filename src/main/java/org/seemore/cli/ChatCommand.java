package org.seemore.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.seemore.UserException;
import org.seemore.data.image.ImageDecoder;
import org.seemore.data.image.ImageSource;
import org.seemore.generate.Sampler;
import org.seemore.generate.hf.HfModels;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.Turn;
import org.seemore.generate.hf.WeightDtype;
import org.seemore.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seemore chat}: a multi-turn conversation in the terminal with a Hugging Face model directory. */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Chat with a downloaded Hugging Face model (LlamaForCausalLM, Qwen2ForCausalLM, MixtralForCausalLM, LlavaForConditionalGeneration) in the terminal.",
                "Each line read from standard input is a user message; the whole conversation is rendered through the "
                        + "model's chat template and the reply streams to standard output as it is generated. "
                        + "Lines starting with / are commands:",
                "  /image PATH   attach an image to the next message (vision-language models)",
                "  /reset        forget the conversation (the --system message stays)",
                "  /exit         leave (so does end of input, Ctrl-D)"},
        footer = {"%nA message that fails (prompt too long, an unreadable image, a conversation the template refuses) is "
                + "reported on one line and left out of the conversation; the chat goes on.",
                "Exit status: 0 at /exit or end of input; 2 for bad flags or a model directory that cannot chat.%n"})
public final class ChatCommand implements Callable<Integer> {
    static final String IMAGE = "/image", RESET = "/reset", EXIT = "/exit";

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A Hugging Face model directory (config.json, *.safetensors, tokenizer, chat template).")
    Path model;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message that starts the conversation (default: none).")
    String system;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Longest reply in tokens (default: ${DEFAULT-VALUE}).", defaultValue = "512")
    int maxNewTokens;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    DtypeOption dtype;

    @Option(names = "--seed", paramLabel = "N", description = "Sampling seed for the whole conversation (default: ${DEFAULT-VALUE}).", defaultValue = "1337")
    long seed;

    @Override
    public Integer call() throws IOException {
        Sampler sampler = sampling.sampler();
        WeightDtype weights = dtype.parse();
        if (maxNewTokens < 1) throw new UserException("--max-new-tokens must be positive");
        if (!java.nio.file.Files.isDirectory(model)) throw new UserException(model + ": no such model directory");
        if (!HfModels.isHuggingFace(model)) {
            throw new UserException(model + ": not a Hugging Face model directory (its config.json names no architectures or model_type); "
                    + "chat runs downloaded checkpoints, caption runs seemore's own models");
        }
        HfSession session = HfSession.open(model, weights);
        session.requireChatTemplate(); // refused now, not at the first message
        PrintStream out = System.out, err = System.err;
        boolean interactive = System.console() != null && System.console().isTerminal(); // no prompts when stdin is piped
        err.println("seemore chat: " + session.summary() + "; " + IMAGE + " PATH, " + RESET + ", " + EXIT);
        Conversation conversation = new Conversation(session, system, new HfSession.Settings(maxNewTokens, sampler), new Rng(seed));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (true) {
            if (interactive) {
                err.print(conversation.pendingImages() == 0 ? "> " : "> [" + conversation.pendingImages() + " image(s)] ");
                err.flush();
            }
            String line = in.readLine();
            if (line == null) return 0;
            String trimmed = line.strip();
            try {
                if (trimmed.isEmpty()) continue;
                if (trimmed.equals(EXIT)) return 0;
                if (trimmed.equals(RESET)) {
                    conversation.reset();
                    err.println("(conversation reset)");
                } else if (trimmed.equals(IMAGE) || trimmed.startsWith(IMAGE + " ")) {
                    conversation.attach(trimmed.substring(IMAGE.length()).strip());
                } else if (trimmed.startsWith("/") && !trimmed.startsWith("//")) {
                    throw new UserException("unknown command " + trimmed.split("\\s+")[0] + " (commands: " + IMAGE + " PATH, " + RESET + ", " + EXIT
                            + "; start a message with // to send a leading /)");
                } else {
                    HfSession.Reply reply = conversation.say(trimmed.startsWith("//") ? trimmed.substring(1) : line, out);
                    if (reply.stop() == HfSession.Stop.CONTEXT_FULL) err.println("(the conversation fills the model's positions: " + RESET + " to start over)");
                    if (reply.stop() == HfSession.Stop.MAX_NEW_TOKENS) err.println("(cut at --max-new-tokens " + maxNewTokens + ")");
                }
            } catch (UserException e) {
                out.flush();
                err.println("seemore chat: " + e.getMessage());
            }
        }
    }

    /** The conversation so far, the images waiting for the next message, and how replies are generated. */
    static final class Conversation {
        private final HfSession session;
        private final String system;
        private final HfSession.Settings settings;
        private final Rng rng;
        private final List<Turn> turns = new ArrayList<>();
        private final List<ImageSource> pending = new ArrayList<>();

        Conversation(HfSession session, String system, HfSession.Settings settings, Rng rng) {
            this.session = session;
            this.system = system;
            this.settings = settings;
            this.rng = rng;
            reset();
        }

        int pendingImages() {
            return pending.size();
        }

        List<Turn> turns() {
            return List.copyOf(turns);
        }

        void reset() {
            turns.clear();
            pending.clear();
            if (system != null) turns.add(Turn.system(system));
        }

        /** Reads the image now, so that a bad path is reported at once rather than with the next message. */
        void attach(String path) {
            if (path.isEmpty()) throw new UserException(IMAGE + " needs a path: " + IMAGE + " PATH");
            session.checkImagesAllowed(1);
            ImageSource image = new ImageSource.FileImage(Path.of(path));
            ImageDecoder.decode(image);
            pending.add(image);
        }

        /** Sends a user message, streams the reply to {@code out} and keeps both; a failed message is not kept. */
        HfSession.Reply say(String text, PrintStream out) {
            List<Turn> next = new ArrayList<>(turns);
            next.add(Turn.user(text, pending));
            HfSession.Prompt prompt = session.prompt(next);
            HfSession.Reply reply = session.generate(prompt, settings, rng, piece -> {
                out.print(piece);
                out.flush();
            });
            out.println();
            out.flush();
            pending.clear();
            next.add(Turn.assistant(reply.text()));
            turns.clear();
            turns.addAll(next);
            return reply;
        }
    }
}
