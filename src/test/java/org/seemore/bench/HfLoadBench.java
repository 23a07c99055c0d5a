package org.seemore.bench;

import org.seemore.io.DType;
import org.seemore.io.Safetensors;
import org.seemore.io.StoredTensor;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.hf.TensorSpec;
import org.seemore.tensor.kernels.Widen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Times, by hand (not a test), opening a sharded BF16 Hugging Face checkpoint and widening all of it
 * to float32. It writes a TinyLlama-shaped LlamaForCausalLM (hidden 2048, intermediate 5632, 32
 * heads, 4 kv heads, vocab 32000, untied) with LAYERS layers into shards of at most 512 MB, as
 * {@code save_pretrained} lays them out, then times {@link HfModelDirectory#open} (config, index,
 * mapping every shard, checking every name and shape), the first read of the mapped pages, widening
 * every tensor into one buffer (StoredTensor's plain loop, then the Vector API kernel) and
 * {@code toFloats()} of every tensor.
 * The files were just written, so the page cache is warm: this measures the reader, not the disk.
 *
 * <p>Arguments: [LAYERS (default 16: 0.84B parameters, 1.67 GB)] [DIRECTORY (default: a new
 * temporary directory, deleted afterwards)]. Needs about 4 GB of heap.
 */
public final class HfLoadBench {
    private static final int HIDDEN = 2048, INTERMEDIATE = 5632, HEADS = 32, KV_HEADS = 4, VOCAB = 32000;
    private static final long SHARD_BYTES = 512L << 20;

    private HfLoadBench() {}

    public static void main(String[] args) throws IOException {
        int layers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        boolean temporary = args.length < 2;
        Path dir = temporary ? Files.createTempDirectory("seemore-hfload-bench") : Path.of(args[1]);
        try {
            long t0 = System.nanoTime();
            long bytes = write(dir, layers);
            System.out.printf("wrote %d layers, %.2f GB of BF16 in %d shards to %s in %.1f s%n", layers, bytes / 1e9,
                    countShards(dir), dir, (System.nanoTime() - t0) / 1e9);

            long first = System.nanoTime();
            HfModelDirectory model = HfModelDirectory.open(dir);
            double firstOpen = (System.nanoTime() - first) / 1e6;
            double bestOpen = Double.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                model = HfModelDirectory.open(dir);
                bestOpen = Math.min(bestOpen, (System.nanoTime() - start) / 1e6);
            }
            long parameters = model.weights().tensors().values().stream().mapToLong(StoredTensor::numel).sum();
            System.out.printf("open (config, index, map %d shards, check %d names and shapes): first %.1f ms, best of 5 %.1f ms%n",
                    model.weights().files().size(), model.layout().tensors().size(), firstOpen, bestOpen);

            // first: read every mapped page once (the page tables fill; with a cold cache this is the disk read)
            long touchStart = System.nanoTime();
            long sum = 0;
            for (StoredTensor tensor : model.weights().tensors().values()) {
                MemorySegment mapped = tensor.bytes();
                for (long at = 0; at + 8 <= mapped.byteSize(); at += 4096) sum += mapped.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
            }
            System.out.printf("first read of every mapped page: %.2f s [%d]%n", (System.nanoTime() - touchStart) / 1e9, sum & 0xFF);
            long largest = model.weights().tensors().values().stream().mapToLong(StoredTensor::numel).max().orElseThrow();
            float[] buffer = new float[(int) largest];
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                for (StoredTensor tensor : model.weights().tensors().values()) tensor.readFloats(0, buffer, 0, (int) tensor.numel());
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("widen all into one reused buffer%s: %.2f s (%.2f GB/s of BF16 read)%n", round == 0 ? " (JIT warm-up)" : "",
                        seconds, 2.0 * parameters / 1e9 / seconds);
            }
            // the Vector API kernel on the same data: its first pass includes its own JIT warm-up
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                for (StoredTensor tensor : model.weights().tensors().values()) {
                    if (tensor.dtype() == DType.BF16) Widen.bf16(tensor.bytes(), 0, buffer, 0, (int) tensor.numel());
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("  the same with Widen.bf16 (Vector API)%s: %.2f s%n", round == 0 ? " (its JIT warm-up)" : "", seconds);
            }
            buffer = null;
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                double checksum = 0;
                for (StoredTensor tensor : model.weights().tensors().values()) {
                    float[] values = tensor.toFloats();   // new arrays, as a float32 model loads them
                    checksum += values[values.length - 1];
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("widen all %.2fB parameters to new float[]s (%.1f GB): %.2f s (%.2f GB/s of BF16 read) [checksum %.3f]%n",
                        parameters / 1e9, 4.0 * parameters / 1e9, seconds, 2.0 * parameters / 1e9 / seconds, checksum);
            }
        } finally {
            if (temporary) delete(dir);
        }
    }

    /** Writes config.json, the shards and the index; returns the bytes of tensor data. */
    private static long write(Path dir, int layers) {
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec("model.embed_tokens.weight", new int[] {VOCAB, HIDDEN}));
        int kv = KV_HEADS * HIDDEN / HEADS;
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            specs.add(new TensorSpec(p + "input_layernorm.weight", new int[] {HIDDEN}));
            specs.add(new TensorSpec(p + "post_attention_layernorm.weight", new int[] {HIDDEN}));
            specs.add(new TensorSpec(p + "self_attn.q_proj.weight", new int[] {HIDDEN, HIDDEN}));
            specs.add(new TensorSpec(p + "self_attn.k_proj.weight", new int[] {kv, HIDDEN}));
            specs.add(new TensorSpec(p + "self_attn.v_proj.weight", new int[] {kv, HIDDEN}));
            specs.add(new TensorSpec(p + "self_attn.o_proj.weight", new int[] {HIDDEN, HIDDEN}));
            specs.add(new TensorSpec(p + "mlp.gate_proj.weight", new int[] {INTERMEDIATE, HIDDEN}));
            specs.add(new TensorSpec(p + "mlp.up_proj.weight", new int[] {INTERMEDIATE, HIDDEN}));
            specs.add(new TensorSpec(p + "mlp.down_proj.weight", new int[] {HIDDEN, INTERMEDIATE}));
        }
        specs.add(new TensorSpec("model.norm.weight", new int[] {HIDDEN}));
        specs.add(new TensorSpec("lm_head.weight", new int[] {VOCAB, HIDDEN}));

        // group into shards of at most SHARD_BYTES, in order, as save_pretrained does
        List<List<TensorSpec>> shards = new ArrayList<>();
        long size = 0, total = 0;
        for (TensorSpec spec : specs) {
            long bytes = 2 * numel(spec);
            if (shards.isEmpty() || size + bytes > SHARD_BYTES) {
                shards.add(new ArrayList<>());
                size = 0;
            }
            shards.getLast().add(spec);
            size += bytes;
            total += bytes;
        }
        SplittableRandom random = new SplittableRandom(42);
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (int s = 0; s < shards.size(); s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
            List<StoredTensor> tensors = new ArrayList<>();
            for (TensorSpec spec : shards.get(s)) {
                short[] bits = new short[(int) numel(spec)];
                // |w| in [2^-8, 2^-4) with random sign and mantissa: the scale of trained weights
                for (int i = 0; i < bits.length; i++) {
                    int r = random.nextInt();
                    bits[i] = (short) ((r & 0x807F) | ((119 + ((r >>> 8) & 3)) << 7));
                }
                tensors.add(StoredTensor.ofHalves(spec.name(), DType.BF16, spec.shape(), bits));
                weightMap.put(spec.name(), file);
            }
            Safetensors.write(dir.resolve(file), Map.of("format", "pt"), tensors);
        }
        StringBuilder index = new StringBuilder("{\"metadata\": {\"total_size\": " + total + "}, \"weight_map\": {");
        weightMap.forEach((name, file) -> index.append(index.charAt(index.length() - 1) == '{' ? "" : ", ")
                .append('"').append(name).append("\": \"").append(file).append('"'));
        writeString(dir.resolve("model.safetensors.index.json"), index.append("}}").toString());
        writeString(dir.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": %d, "intermediate_size": %d,
                 "num_attention_heads": %d, "num_key_value_heads": %d, "num_hidden_layers": %d, "vocab_size": %d,
                 "max_position_embeddings": 2048, "rms_norm_eps": 1e-05, "tie_word_embeddings": false, "torch_dtype": "bfloat16"}
                """.formatted(HIDDEN, INTERMEDIATE, HEADS, KV_HEADS, layers, VOCAB));
        return total;
    }

    private static long numel(TensorSpec spec) {
        long n = 1;
        for (int d : spec.shape()) n *= d;
        return n;
    }

    private static long countShards(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".safetensors")).count();
        }
    }

    private static void writeString(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
