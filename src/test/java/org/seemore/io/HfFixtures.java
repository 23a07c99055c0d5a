package org.seemore.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The Hugging Face model fixtures in the test resources ({@code fixtures/hf/NAME}), and copies of
 * them in other layouts: split into shards with an index, as {@code save_pretrained} writes large
 * models, or with every weight converted to another type.
 */
public final class HfFixtures {
    /** The model folders, as the fixtures' README lists them. */
    public static final List<String> MODELS = List.of("clip-vision", "siglip-vision", "llama", "qwen2", "mixtral",
            "llava", "llava-siglip", "llava-siglip-sparse");

    private HfFixtures() {}

    public static Path model(String name) {
        try {
            return Path.of(HfFixtures.class.getResource("/fixtures/hf/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies {@code source}'s json files to {@code target} and splits its model.safetensors into
     * {@code shards} files named as transformers names them, tensors in name order, with the index.
     */
    public static void shard(Path source, Path target, int shards) {
        SafetensorsFile single = SafetensorsFile.read(source.resolve(SafetensorsCheckpoint.SINGLE));
        List<StoredTensor> tensors = single.tensors().stream().sorted(java.util.Comparator.comparing(StoredTensor::name)).toList();
        copyJson(source, target);
        Map<String, String> weightMap = new LinkedHashMap<>();
        long total = 0;
        int perShard = (tensors.size() + shards - 1) / shards;
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            List<StoredTensor> part = new ArrayList<>(tensors.subList(s * perShard, Math.min(tensors.size(), (s + 1) * perShard)));
            Safetensors.write(target.resolve(file), Map.of("format", "pt"), part);
            for (StoredTensor t : part) {
                weightMap.put(t.name(), file);
                total += t.bytes().byteSize();
            }
        }
        StringBuilder index = new StringBuilder("{\n  \"metadata\": {\n    \"total_size\": " + total + "\n  },\n  \"weight_map\": {\n");
        List<String> names = new ArrayList<>(weightMap.keySet());
        for (int i = 0; i < names.size(); i++) {
            index.append("    \"").append(names.get(i)).append("\": \"").append(weightMap.get(names.get(i))).append('"')
                    .append(i + 1 < names.size() ? ",\n" : "\n");
        }
        write(target.resolve(SafetensorsCheckpoint.INDEX), index.append("  }\n}\n").toString());
    }

    /** Copies {@code source}'s json files to {@code target} and writes its weights after {@code change} (null drops a tensor). */
    public static void rewrite(Path source, Path target, UnaryOperator<StoredTensor> change, StoredTensor... added) {
        copyJson(source, target);
        List<StoredTensor> out = new ArrayList<>();
        for (StoredTensor t : SafetensorsFile.read(source.resolve(SafetensorsCheckpoint.SINGLE)).tensors()) {
            StoredTensor changed = change.apply(t);
            if (changed != null) out.add(changed);
        }
        out.addAll(List.of(added));
        Safetensors.write(target.resolve(SafetensorsCheckpoint.SINGLE), Map.of("format", "pt"), out);
    }

    /** {@code tensor} as BF16 (the top half of each float's bits: exact for the values it keeps) or F16 (rounded). */
    public static StoredTensor narrowed(StoredTensor tensor, DType type) {
        float[] values = tensor.toFloats();
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = type == DType.BF16 ? (short) (Float.floatToRawIntBits(values[i]) >>> 16) : Float.floatToFloat16(values[i]);
        }
        return StoredTensor.ofHalves(tensor.name(), type, tensor.shape(), bits);
    }

    /** {@code tensor}'s values as an F32 tensor (a BF16 or F16 one widened exactly). */
    public static StoredTensor widened(StoredTensor tensor) {
        return StoredTensor.ofFloats(tensor.name(), tensor.shape(), tensor.toFloats());
    }

    /** The largest |got - want|, after checking the lengths agree. */
    public static double maxDiff(float[] got, float[] want) {
        if (got.length != want.length) throw new AssertionError(got.length + " values, expected " + want.length);
        double max = 0;
        for (int i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
        return max;
    }

    /**
     * Asserts that {@code got} has the shape of {@code ref}'s tensor {@code name} and is within
     * {@code tolerance} of it everywhere, printing the max difference under {@code label}.
     */
    public static void assertClose(String label, String name, org.seemore.tensor.Tensor got, SafetensorsFile ref, double tolerance) {
        if (!java.util.Arrays.equals(got.shape(), ref.get(name).shape())) {
            throw new AssertionError(label + " " + name + ": shape " + java.util.Arrays.toString(got.shape()) + ", expected "
                    + java.util.Arrays.toString(ref.get(name).shape()));
        }
        double d = maxDiff(got.toArray(), ref.floats(name));
        System.out.printf("%s %s max diff %.3g%n", label, name, d);
        if (!(d < tolerance)) throw new AssertionError(label + " " + name + ": max diff " + d + " is not below " + tolerance);
    }

    public static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyJson(Path source, Path target) {
        try (Stream<Path> files = Files.list(source)) {
            Files.createDirectories(target);
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
