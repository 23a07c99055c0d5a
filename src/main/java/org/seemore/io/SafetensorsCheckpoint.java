package org.seemore.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.seemore.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weights of a Hugging Face model directory: {@code model.safetensors}, or the shards that
 * {@code model.safetensors.index.json} lists ({@code {"metadata": {..}, "weight_map": {tensor: file}}},
 * files named {@code model-00001-of-00003.safetensors}). As transformers does, a single file wins
 * when both are present. Every shard is memory-mapped, not read: opening costs the headers only.
 *
 * <p>The index and the shards must agree exactly: each listed tensor is in the shard the index
 * names, and each shard holds only tensors the index lists there. Every problem is one
 * {@link UserException} line naming the index or the shard.
 */
public final class SafetensorsCheckpoint {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path directory;
    private final List<SafetensorsFile> files;
    /** Tensor name to the file that holds it, in name order. */
    private final Map<String, SafetensorsFile> byName;

    private SafetensorsCheckpoint(Path directory, List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
        this.directory = directory;
        this.files = List.copyOf(files);
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Opens the weights of {@code directory}; see the class comment for the layouts. */
    public static SafetensorsCheckpoint open(Path directory) {
        if (!Files.isDirectory(directory)) throw new UserException(directory + ": no such model directory");
        Path single = directory.resolve(SINGLE);
        if (Files.isRegularFile(single)) {
            SafetensorsFile file = SafetensorsFile.read(single);
            Map<String, SafetensorsFile> byName = new TreeMap<>();
            for (String name : file.names()) byName.put(name, file);
            return new SafetensorsCheckpoint(directory, List.of(file), byName);
        }
        Path index = directory.resolve(INDEX);
        if (Files.isRegularFile(index)) return openSharded(directory, index);
        String hint = Files.exists(directory.resolve("pytorch_model.bin")) || Files.exists(directory.resolve("pytorch_model.bin.index.json"))
                ? " (it has PyTorch pickles, which seemore does not read: convert them to safetensors)" : "";
        throw new UserException(directory + ": no " + SINGLE + " or " + INDEX + hint);
    }

    private static SafetensorsCheckpoint openSharded(Path directory, Path index) {
        Map<String, List<String>> namesByShard = readWeightMap(index);
        Map<String, SafetensorsFile> byName = new TreeMap<>();
        List<SafetensorsFile> files = new ArrayList<>();
        for (Map.Entry<String, List<String>> shard : namesByShard.entrySet()) {
            Path path = directory.resolve(shard.getKey());
            List<String> listed = shard.getValue();
            if (!Files.isRegularFile(path)) {
                throw new UserException(index + ": shard " + shard.getKey() + " (holding " + listed.size() + " tensors, e.g. '"
                        + listed.getFirst() + "') is not in " + directory);
            }
            SafetensorsFile file = SafetensorsFile.read(path);
            files.add(file);
            for (String name : listed) {
                if (!file.contains(name)) throw new UserException(path + ": no tensor '" + name + "', which " + index.getFileName() + " places in this shard");
                byName.put(name, file);
            }
            for (String name : file.names()) {
                if (!byName.containsKey(name) || byName.get(name) != file) {
                    throw new UserException(path + ": holds tensor '" + name + "', which " + index.getFileName() + " does not list in this shard");
                }
            }
        }
        return new SafetensorsCheckpoint(directory, files, byName);
    }

    /** The index's weight_map grouped by shard file, shards in name order, tensors in index order. */
    private static Map<String, List<String>> readWeightMap(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new UserException(index + ": not valid JSON: " + e.getOriginalMessage().replace('\n', ' '));
        } catch (IOException e) {
            throw new UserException(index + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) throw new UserException(index + ": no \"weight_map\" object (tensor name to shard file)");
        if (weightMap.isEmpty()) throw new UserException(index + ": \"weight_map\" is empty");
        Map<String, List<String>> byShard = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
            JsonNode file = entry.getValue();
            if (!file.isTextual() || !isPlainFileName(file.textValue())) {
                throw new UserException(index + ": weight_map entry '" + entry.getKey() + "' is " + file
                        + ", not the name of a .safetensors file in the same directory");
            }
            byShard.computeIfAbsent(file.textValue(), k -> new ArrayList<>()).add(entry.getKey());
        }
        return byShard;
    }

    /** A file beside the index: no directory part, so an index cannot point outside its directory. */
    private static boolean isPlainFileName(String name) {
        return name.endsWith(".safetensors") && !name.contains("/") && !name.contains("\\") && !name.startsWith(".");
    }

    /** The model directory. */
    public Path directory() {
        return directory;
    }

    /** The safetensors files, in shard order (one for a single-file checkpoint). */
    public List<SafetensorsFile> files() {
        return files;
    }

    /** Every tensor name, sorted. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The named tensor, a view into its mapped shard; a missing one is an error naming the directory. */
    public StoredTensor get(String name) {
        SafetensorsFile file = byName.get(name);
        if (file == null) throw new UserException(directory + ": the checkpoint has no tensor '" + name + "' (" + byName.size() + " tensors)");
        return file.get(name);
    }

    /** The file that holds the named tensor. */
    public Path fileOf(String name) {
        get(name);
        return byName.get(name).path();
    }

    /** The named tensor as float32 (F32 as stored, BF16 and F16 widened); errors name its file. */
    public float[] floats(String name) {
        get(name);
        return byName.get(name).floats(name);
    }

    /** Every tensor, by name, in name order. */
    public Map<String, StoredTensor> tensors() {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        byName.forEach((name, file) -> out.put(name, file.get(name)));
        return out;
    }

    /** Bytes of tensor data over all files. */
    public long dataBytes() {
        long total = 0;
        for (String name : byName.keySet()) total += get(name).bytes().byteSize();
        return total;
    }
}
