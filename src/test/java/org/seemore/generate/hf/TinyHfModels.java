package org.seemore.generate.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Arrays;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.seemore.data.text.Tokenizers;
import org.seemore.data.text.chat.ChatTemplate;
import org.seemore.io.HfFixtures;
import org.seemore.io.Safetensors;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llama.GreedyDecoder;
import org.seemore.model.llama.LlamaModel;

/**
 * Tiny Hugging Face model directories for tests: the llama or qwen2 fixture's config.json and
 * model.safetensors, with a byte-level BPE tokenizer.json written here whose 512 ids fit their
 * vocabulary (0 {@code <pad>}, 1 {@code <s>}, 2 {@code </s>}, 3..258 the 256 bytes, then merges of a
 * few English words, 508 {@code <image>}, 509 {@code <|endoftext|>}, 510 {@code <|im_start|>}, 511 {@code <|im_end|>}),
 * and a tokenizer_config.json holding a real chat template from the chat-templates fixture.
 */
public final class TinyHfModels {
    static final JsonMapper JSON = JsonMapper.builder().build();
    public static final int PAD = 0, BOS = 1, EOS = 2, IMAGE = 508, END_OF_TEXT = 509, IM_START = 510, IM_END = 511;
    private static final String[] WORDS = {"Hello", "Ġthere", "Ġhow", "Ġare", "Ġyou", "user", "assistant", "system", "Ġthe", "Ġworld",
            "ĠHello", "ĠINST", "ĠYou", "Ġconcise", "ing"};

    private TinyHfModels() {}

    /** The qwen2 fixture with the ChatML template and {@code <|im_end|>} as eos_token (as Qwen2-Instruct). */
    public static Path qwen2Chatml(Path dir) {
        return build(dir, "qwen2", "chatml", Map.of("eos_token", "<|im_end|>", "pad_token", "<|endoftext|>"));
    }

    /** The llama fixture (bos 1, eos 2) with the Llama-2 chat template. */
    public static Path llamaChat(Path dir) {
        return build(dir, "llama", "llama-2-chat", Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<pad>"));
    }

    /** A model directory: {@code fixture}'s files, the tokenizer, and {@code template} (null for none). */
    public static Path build(Path dir, String fixture, String template, Map<String, String> specialTokens) {
        return build(dir, fixture, template == null ? null : chatTemplate(template), specialTokens, IMAGE);
    }

    /** A model directory: {@code fixture}'s files, the tokenizer with {@code <image>} at {@code imageId}, a template's source (null for none). */
    static Path build(Path dir, String fixture, String templateSource, Map<String, String> specialTokens, int imageId) {
        try {
            Files.createDirectories(dir);
            Path source = HfFixtures.model(fixture);
            for (String file : List.of("config.json", "generation_config.json", "model.safetensors")) {
                if (Files.exists(source.resolve(file))) Files.copy(source.resolve(file), dir.resolve(file));
            }
            Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson(imageId), StandardCharsets.UTF_8);
            ObjectNode config = JSON.createObjectNode();
            specialTokens.forEach(config::put);
            config.put("clean_up_tokenization_spaces", false);
            if (templateSource != null) config.put("chat_template", templateSource);
            Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Rewrites {@code dir}'s model.safetensors with every tensor after {@code change} (e.g. narrowed to
     * BF16, as hub checkpoints store weights), through a temporary file renamed over it.
     */
    public static Path reweighted(Path dir, UnaryOperator<StoredTensor> change) {
        Path file = dir.resolve(SafetensorsCheckpoint.SINGLE);
        List<StoredTensor> changed = SafetensorsFile.read(file).tensors().stream().map(change).toList();
        Safetensors.writeAtomically(file, Map.of("format", "pt"), changed);
        return dir;
    }

    /** The directory's decoder with its weights. */
    public static LlamaModel model(Path dir) {
        HfModelDirectory hf = HfModelDirectory.open(dir);
        return LlamaModel.load(hf.decoder().orElseThrow(), hf.weights());
    }

    /**
     * What transformers does, computed directly: render with add_generation_prompt, encode without special
     * tokens, greedy-generate with {@link GreedyDecoder}, cut before the first end id.
     */
    public static int[] greedyReply(Path dir, List<Map<String, String>> messages, int steps, Set<Integer> eos) {
        String text = ChatTemplate.load(dir).orElseThrow().render(messages, true);
        int[] ids = Tokenizers.load(dir).encode(text);
        int[] tokens = new GreedyDecoder(model(dir)).generate(ids, null, 1, steps).tokens();
        for (int i = 0; i < tokens.length; i++) if (eos.contains(tokens[i])) return Arrays.copyOf(tokens, i);
        return tokens;
    }

    /** A template of fixtures/hf/chat-templates/templates.json: llama-2-chat, chatml or llava-1.5. */
    public static String chatTemplate(String name) {
        try {
            JsonNode templates = JSON.readTree(org.seemore.data.text.HfFixtures.dir("chat-templates").resolve("templates.json").toFile());
            return templates.get(name).get("chat_template").textValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GPT-2's byte-to-character table (bytes_to_unicode): printable bytes stand for themselves, the rest from U+0100 on. */
    static char[] byteChars() {
        char[] chars = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            chars[b] = (char) (printable ? b : next++);
        }
        return chars;
    }

    static String tokenizerJson(int imageId) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        char[] chars = byteChars();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(chars[b]), 3 + b);
        List<String> merges = new ArrayList<>();
        for (String word : WORDS) {
            String left = word.substring(0, 1);
            for (int i = 1; i < word.length(); i++) {
                String right = word.substring(i, i + 1), merged = left + right;
                if (!vocab.containsKey(merged)) {
                    vocab.put(merged, 259 + merges.size());
                    merges.add(left + " " + right);
                }
                left = merged;
            }
        }
        if (259 + merges.size() > imageId) throw new IllegalStateException(merges.size() + " merges do not fit");
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        Map<Integer, String> specials = new LinkedHashMap<>();
        specials.put(PAD, "<pad>");
        specials.put(BOS, "<s>");
        specials.put(EOS, "</s>");
        specials.put(imageId, "<image>");
        specials.put(END_OF_TEXT, "<|endoftext|>");
        specials.put(IM_START, "<|im_start|>");
        specials.put(IM_END, "<|im_end|>");
        specials.forEach((id, content) -> added.addObject().put("id", id).put("content", content).put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true));
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
        root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", false).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix").putNull("end_of_word_suffix");
        model.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
        ObjectNode vocabNode = model.putObject("vocab");
        specials.forEach((id, content) -> vocabNode.put(content, id));
        vocab.forEach(vocabNode::put);
        ArrayNode mergeNode = model.putArray("merges");
        merges.forEach(mergeNode::add);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }
}
