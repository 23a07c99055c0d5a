package org.seemore.generate.hf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.seemore.UserException;
import org.seemore.data.image.ImageDecoder;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.RgbImage;
import org.seemore.data.image.hf.ImageProcessor;
import org.seemore.data.text.TokenIds;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.Tokenizers;
import org.seemore.data.text.chat.ChatTemplate;
import org.seemore.generate.Sampler;
import org.seemore.model.hf.Architecture;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/**
 * A Hugging Face model directory opened for generation, as transformers' {@code apply_chat_template}
 * then {@code generate} use one: the tokenizer ({@code tokenizer.json} or {@code tokenizer.model},
 * with {@code tokenizer_config.json}'s special tokens), the chat template, the image processor
 * ({@code preprocessor_config.json}, vision models only), the ids that end a reply
 * ({@code generation_config.json}, else config.json, plus the tokenizer's {@code eos_token}) and the
 * model. A conversation is rendered with {@code add_generation_prompt}, encoded without added special
 * tokens (the template writes them), its image tokens expanded; the reply is sampled token by token
 * and streamed as text. Every problem with the directory or the input is one {@link UserException}.
 */
public final class HfSession {
    private final Path directory;
    private final Architecture architecture;
    private final Tokenizer tokenizer;
    private final Optional<ChatTemplate> template;
    private final Optional<ImageProcessor> processor;
    private final Set<Integer> eosIds;
    private final HfLanguageModel model;

    /** How much to generate and how to pick each token. */
    public record Settings(int maxNewTokens, Sampler sampler) {
        public Settings {
            if (maxNewTokens < 1) throw new IllegalArgumentException("the most new tokens must be at least 1, got " + maxNewTokens);
        }
    }

    /** Why a reply ended. */
    public enum Stop { EOS, MAX_NEW_TOKENS, CONTEXT_FULL, CANCELLED }

    /** A prompt ready for the model: its text, its ids (image tokens expanded) and its images' pixel values (or null). */
    public record Prompt(String text, int[] ids, Tensor pixelValues) {}

    /** A generated reply: its ids (without the end token), its text and why it ended. */
    public record Reply(int[] ids, String text, Stop stop) {}

    public HfSession(Path directory, Architecture architecture, Tokenizer tokenizer, Optional<ChatTemplate> template,
                     Optional<ImageProcessor> processor, Set<Integer> eosIds, HfLanguageModel model) {
        this.directory = directory;
        this.architecture = architecture;
        this.tokenizer = tokenizer;
        this.template = template;
        this.processor = processor;
        this.eosIds = Set.copyOf(eosIds);
        this.model = model;
        if (model.imageTokens().isPresent() && processor.isEmpty()) {
            throw new UserException(directory + ": no " + PREPROCESSOR + ": a vision-language model needs its image processor");
        }
    }

    static final String PREPROCESSOR = "preprocessor_config.json";

    /** Opens {@code directory}, weights as stored: the cheap checks first, the weights last. */
    public static HfSession open(Path directory) {
        return open(directory, WeightDtype.AUTO);
    }

    /** Opens {@code directory}, the decoder's matrices held as {@code dtype} says. */
    public static HfSession open(Path directory, WeightDtype dtype) {
        return open(HfModelDirectory.open(directory), dtype);
    }

    /** Opens an already opened model directory's tokenizer, template, processor and model (its matrices held as {@code dtype} says). */
    public static HfSession open(HfModelDirectory hf, WeightDtype dtype) {
        Path directory = hf.directory();
        Architecture architecture = hf.architecture();
        var loader = HfModels.loader(hf); // refuses an architecture that cannot generate before anything is read
        Tokenizer tokenizer = Tokenizers.load(directory);
        Optional<ChatTemplate> template = ChatTemplate.load(directory);
        Path preprocessor = directory.resolve(PREPROCESSOR);
        Optional<ImageProcessor> processor = HfModels.readsImages(architecture) && Files.isRegularFile(preprocessor)
                ? Optional.of(ImageProcessor.load(preprocessor)) : Optional.empty();
        Set<Integer> eos = new LinkedHashSet<>(hf.eosTokenIds());
        tokenizer.eosId().ifPresent(eos::add);
        return new HfSession(directory, architecture, tokenizer, template, processor, eos, loader.apply(hf, dtype));
    }

    public Path directory() {
        return directory;
    }

    public Architecture architecture() {
        return architecture;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Optional<ChatTemplate> chatTemplate() {
        return template;
    }

    /** How the model's weights are held in memory, for a status line ({@code bf16, 269.1 MB}). */
    public String weightsInMemory() {
        return model.weightsInMemory();
    }

    /** What a command loaded, for its status line: {@code LlamaForCausalLM from DIR (weights bf16, 269.1 MB)}. */
    public String summary() {
        return architecture.className + " from " + directory + " (weights " + weightsInMemory() + ")";
    }

    /** The ids that end a reply. */
    public Set<Integer> eosIds() {
        return eosIds;
    }

    public boolean readsImages() {
        return model.imageTokens().isPresent();
    }

    /** Refuses images for a text-only model, in one line. */
    public void checkImagesAllowed(int images) {
        if (images > 0 && !readsImages()) {
            throw new UserException(directory + " is a text-only " + architecture.className + ": it cannot take images");
        }
    }

    /** The chat template; a directory without one is a one-line error (chat needs it, caption can do without). */
    public ChatTemplate requireChatTemplate() {
        return template.orElseThrow(() -> new UserException(directory
                + ": no chat template (tokenizer_config.json's chat_template, chat_template.json or chat_template.jinja)"));
    }

    /** The prompt text of a conversation: the chat template with the start of the assistant's turn. */
    public String render(List<Turn> conversation) {
        ChatTemplate chat = requireChatTemplate();
        List<Map<String, Object>> messages = new ArrayList<>();
        for (Turn turn : conversation) messages.add(turn.message(readsImages()));
        return chat.render(messages, true);
    }

    /** A conversation rendered by the chat template, encoded, its images read. */
    public Prompt prompt(List<Turn> conversation) {
        List<ImageSource> images = new ArrayList<>();
        for (Turn turn : conversation) images.addAll(turn.images());
        checkImagesAllowed(images.size());
        return encode(render(conversation), false, images);
    }

    /**
     * A prompt without a chat template, as a processor is called on plain text: framed as the
     * tokenizer frames a sequence (Llama: BOS first); a vision model's image tokens go first unless
     * the text already holds them.
     */
    public Prompt rawPrompt(String text, List<ImageSource> images) {
        checkImagesAllowed(images.size());
        if (!images.isEmpty()) {
            String imageToken = tokenizer.token(model.imageTokens().orElseThrow().tokenId());
            if (!text.contains(imageToken)) text = imageToken.repeat(images.size()) + "\n" + text;
        }
        return encode(text, true, images);
    }

    private Prompt encode(String text, boolean addSpecialTokens, List<ImageSource> images) {
        int[] ids = tokenizer.encode(text, addSpecialTokens);
        if (ids.length == 0) throw new UserException("the prompt is empty: give some text (--prompt)");
        for (int id : ids) {
            if (id >= model.vocabSize()) {
                throw new UserException(directory + ": the tokenizer gives id " + id + ", beyond the model's vocab_size " + model.vocabSize());
            }
        }
        if (images.isEmpty()) return new Prompt(text, ids, null);
        ids = model.imageTokens().orElseThrow().expand(ids, images.size());
        List<RgbImage> decoded = new ArrayList<>();
        for (ImageSource image : images) decoded.add(ImageDecoder.decode(image));
        return new Prompt(text, ids, processor.orElseThrow().batch(decoded));
    }

    /**
     * Generates the reply to {@code prompt}, giving its text to {@code sink} as characters complete.
     * Stops at an end id (not part of the reply), after {@code maxNewTokens}, or when the sequence
     * fills {@code max_position_embeddings}.
     */
    public Reply generate(Prompt prompt, Settings settings, Rng rng, Consumer<String> sink) {
        return generate(prompt, settings, rng, sink, token -> true);
    }

    /**
     * As {@link #generate(Prompt, Settings, Rng, Consumer)}, handing each reply token to
     * {@code onToken} before its text; when it answers false the reply ends there, with
     * {@link Stop#CANCELLED} (a server cancels a request whose client left this way).
     */
    public Reply generate(Prompt prompt, Settings settings, Rng rng, Consumer<String> sink, IntPredicate onToken) {
        int length = prompt.ids().length, max = model.maxPositions();
        if (length > max) {
            throw new UserException("the prompt is " + length + " tokens, longer than the model's max_position_embeddings (" + max + ")");
        }
        // the last token is sampled from the last position and never fed back, so it may fill the table exactly
        int room = max - length + 1;
        int budget = Math.min(settings.maxNewTokens(), room);
        TextStream stream = new TextStream(tokenizer);
        TokenIds reply = new TokenIds();
        Stop stop = budget < settings.maxNewTokens() ? Stop.CONTEXT_FULL : Stop.MAX_NEW_TOKENS;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            HfLanguageModel.Generation generation = model.start(prompt.ids(), prompt.pixelValues(), length + budget - 1);
            float[] logits = generation.logits();
            for (int step = 0; step < budget; step++) {
                int next = settings.sampler().sample(logits, 0, model.vocabSize(), rng);
                if (eosIds.contains(next)) {
                    stop = Stop.EOS;
                    break;
                }
                if (!onToken.test(next)) {
                    stop = Stop.CANCELLED;
                    break;
                }
                reply.add(next);
                String text = stream.push(next);
                if (!text.isEmpty()) sink.accept(text);
                if (step < budget - 1) logits = generation.step(next);
            }
        }
        String rest = stream.finish();
        if (!rest.isEmpty()) sink.accept(rest);
        return new Reply(reply.toArray(), stream.text(), stop);
    }
}
