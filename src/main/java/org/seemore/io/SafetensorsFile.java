package org.seemore.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.seemore.UserException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file opened for reading: the {@code __metadata__} map and the tensors, in header
 * order. The file is memory-mapped as a {@link MemorySegment} (no 2 GB limit); tensors are views into
 * the mapping, copied only when converted.
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON header
 * ({@code {"__metadata__": {..}, "name": {"dtype", "shape", "data_offsets": [begin, end]}, ..}}),
 * then the data section; offsets are relative to its start. Every problem with the file is a
 * {@link UserException} naming the file and, where there is one, the tensor.
 */
public final class SafetensorsFile {
    /** Headers beyond this size are rejected before being read: a corrupt length, not a real header. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    static final String METADATA_KEY = "__metadata__";

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path path;
    private final Map<String, String> metadata;
    private final Map<String, StoredTensor> tensors;

    private SafetensorsFile(Path path, Map<String, String> metadata, Map<String, StoredTensor> tensors) {
        this.path = path;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Maps and validates {@code path}. The mapping has no size limit (checkpoints hold files of many
     * gigabytes) and lives until no tensor of the file is reachable any more.
     */
    public static SafetensorsFile read(Path path) {
        return read(path, Arena.ofAuto());
    }

    /** Maps and validates {@code path} in {@code arena}: closing the arena unmaps the file and invalidates its tensors. */
    public static SafetensorsFile read(Path path, Arena arena) {
        MemorySegment file;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) throw new UserException(path + ": not a safetensors file (" + size + " bytes, shorter than the 8-byte header length)");
            file = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (NoSuchFileException e) {
            throw new UserException(path + ": no such safetensors file");
        } catch (IOException e) {
            throw new UserException(path + ": cannot read safetensors file: " + e.getMessage(), e);
        }
        return parse(path, file);
    }

    /** Parses a whole safetensors file held in {@code file}; {@code path} names it in errors. */
    static SafetensorsFile parse(Path path, MemorySegment file) {
        long fileSize = file.byteSize();
        if (fileSize < 8) {
            throw new UserException(path + ": not a safetensors file (" + fileSize + " bytes, shorter than the 8-byte header length)");
        }
        long headerLength = file.get(LE_LONG, 0);
        if (headerLength < 0 || headerLength > fileSize - 8) {
            throw new UserException(path + ": header length " + Long.toUnsignedString(headerLength)
                    + " is larger than the file (" + fileSize + " bytes); the file is truncated or not safetensors");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new UserException(path + ": header length " + headerLength + " exceeds " + MAX_HEADER_BYTES + " bytes");
        }
        byte[] headerBytes = file.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new UserException(path + ": header is not valid JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw new UserException(path + ": header is not a JSON object");
        }
        MemorySegment dataSection = file.asSlice(8 + headerLength);
        long dataLength = dataSection.byteSize();

        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            String name = field.getKey();
            if (name.equals(METADATA_KEY)) {
                readMetadata(path, field.getValue(), metadata);
            } else {
                entries.put(name, readEntry(path, name, field.getValue()));
            }
        }
        checkInside(path, entries, dataLength);
        checkNoOverlap(path, entries);
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        entries.forEach((name, entry) -> tensors.put(name,
                new StoredTensor(name, entry.dtype, entry.shape, dataSection.asSlice(entry.begin, entry.end - entry.begin))));
        return new SafetensorsFile(path, metadata, tensors);
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** The {@code __metadata__} map, in header order (empty when the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** The tensors in header order. */
    public List<StoredTensor> tensors() {
        return List.copyOf(tensors.values());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The named tensor; a missing one is an error naming the file and the tensor. */
    public StoredTensor get(String name) {
        StoredTensor tensor = tensors.get(name);
        if (tensor == null) throw new UserException(path + ": no tensor named '" + name + "' (the file holds " + tensors.size() + " tensors)");
        return tensor;
    }

    /** The named tensor as floats (F32, F16 or BF16); errors name the file. */
    public float[] floats(String name) {
        try {
            return get(name).toFloats();
        } catch (UserException e) {
            throw inFile(e);
        }
    }

    /** The named tensor as longs (I64 or I32); errors name the file. */
    public long[] longs(String name) {
        try {
            return get(name).toLongs();
        } catch (UserException e) {
            throw inFile(e);
        }
    }

    /** The named tensor as ints (I32, I64 values that fit, or U8 as 0..255); errors name the file. */
    public int[] ints(String name) {
        try {
            return get(name).toInts();
        } catch (UserException e) {
            throw inFile(e);
        }
    }

    /** A metadata value; a missing key is an error naming the file. */
    public String metadata(String key) {
        String value = metadata.get(key);
        if (value == null) throw new UserException(path + ": __metadata__ has no key '" + key + "'");
        return value;
    }

    private UserException inFile(UserException e) {
        return e.getMessage().startsWith(path.toString()) ? e : new UserException(path + ": " + e.getMessage(), e);
    }

    private record Entry(DType dtype, int[] shape, long begin, long end, JsonNode offsets) {}

    private static void readMetadata(Path path, JsonNode node, Map<String, String> metadata) {
        if (!node.isObject()) throw new UserException(path + ": __metadata__ is not a JSON object");
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new UserException(path + ": __metadata__ value for '" + field.getKey() + "' is not a string");
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
    }

    private static Entry readEntry(Path path, String name, JsonNode node) {
        String where = path + ": tensor '" + name + "'";
        if (!node.isObject()) throw new UserException(where + ": header entry is not a JSON object");
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) throw new UserException(where + ": missing or non-string \"dtype\"");
        DType dtype = DType.fromHeaderName(dtypeNode.textValue()).orElseThrow(() -> new UserException(
                where + ": unsupported dtype " + dtypeNode.textValue() + " (seemore reads F32, F16, BF16, I64, I32, U8)"));

        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) throw new UserException(where + ": missing or non-array \"shape\"");
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = shapeNode.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToInt()) throw new UserException(where + ": shape entry " + dim + " is not an integer");
            if (dim.intValue() < 0) throw new UserException(where + ": negative dimension " + dim.intValue() + " in shape " + shapeNode);
            shape[i] = dim.intValue();
        }
        long byteSize;
        try {
            byteSize = Math.multiplyExact(StoredTensor.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new UserException(where + ": shape " + shapeNode + " is too large");
        }

        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new UserException(where + ": \"data_offsets\" must be [begin, end]");
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin) {
            throw new UserException(where + ": data_offsets " + offsets + " lie outside the data section");
        }
        if (end - begin != byteSize) {
            throw new UserException(where + ": data_offsets " + offsets + " span " + (end - begin) + " bytes but "
                    + dtype + shapeNode + " needs " + byteSize);
        }
        return new Entry(dtype, shape, begin, end, offsets);
    }

    /**
     * Every tensor inside the data section. A file cut short (an interrupted download or copy) is the
     * usual cause, so the message names the tensor that reaches furthest and how many bytes are missing.
     */
    private static void checkInside(Path path, Map<String, Entry> entries, long dataLength) {
        String furthest = null;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (e.getValue().end > dataLength && (furthest == null || e.getValue().end > entries.get(furthest).end)) furthest = e.getKey();
        }
        if (furthest == null) return;
        Entry entry = entries.get(furthest);
        throw new UserException(path + ": tensor '" + furthest + "': data_offsets " + entry.offsets + " lie outside the data section of "
                + dataLength + " bytes: the file is truncated (" + (entry.end - dataLength) + " bytes short) or its header is corrupt");
    }

    private static void checkNoOverlap(Path path, Map<String, Entry> entries) {
        List<Map.Entry<String, Entry>> sorted = new ArrayList<>(entries.entrySet());
        sorted.sort(Comparator.<Map.Entry<String, Entry>>comparingLong(e -> e.getValue().begin).thenComparingLong(e -> e.getValue().end));
        Map.Entry<String, Entry> previous = null;
        for (Map.Entry<String, Entry> range : sorted) {
            if (range.getValue().begin == range.getValue().end) continue;   // zero-size tensors occupy no bytes
            if (previous != null && range.getValue().begin < previous.getValue().end) {
                throw new UserException(path + ": tensors '" + previous.getKey() + "' and '" + range.getKey() + "' overlap in the data section");
            }
            previous = range;
        }
    }
}
