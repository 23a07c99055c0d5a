package org.seemore.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Round trips through the writer and reader, and hand-built F16 / BF16 / I32 files with known values. */
class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsFloatsAndLongsWithMetadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("zeta", "last letter first");
        metadata.put("alpha", "{\"json\": [1, 2]}");
        metadata.put("mu", "ünïcode ✓");
        List<StoredTensor> tensors = List.of(
                StoredTensor.ofFloats("w", new int[] {2, 3}, new float[] {1f, -2.5f, 3e-38f, Float.NaN, Float.POSITIVE_INFINITY, -0f}),
                StoredTensor.ofFloats("loss", new int[] {}, new float[] {0.125f}),
                StoredTensor.ofFloats("empty", new int[] {0, 4}, new float[0]),
                StoredTensor.ofLongs("tokens", new int[] {3}, new long[] {-100, 0, Long.MAX_VALUE}),
                StoredTensor.ofLongs("step", new int[] {}, new long[] {7}),
                StoredTensor.ofLongs("none", new int[] {2, 0, 3}, new long[0]));
        Path file = dir.resolve("round.safetensors");
        Safetensors.write(file, metadata, tensors);

        SafetensorsFile read = SafetensorsFile.read(file);
        assertThat(read.metadata()).containsExactlyEntriesOf(metadata);
        assertThat(List.copyOf(read.metadata().keySet())).containsExactly("zeta", "alpha", "mu");
        assertThat(read.names()).containsExactly("w", "loss", "empty", "tokens", "step", "none");
        assertThat(read.tensors()).containsExactlyElementsOf(tensors);
        assertThat(read.get("w").toFloats()).containsExactly(1f, -2.5f, 3e-38f, Float.NaN, Float.POSITIVE_INFINITY, -0f);
        assertThat(Float.floatToRawIntBits(read.get("w").toFloats()[5])).isEqualTo(0x80000000);
        assertThat(read.get("loss").shape()).isEmpty();
        assertThat(read.get("loss").numel()).isEqualTo(1);
        assertThat(read.get("loss").toFloats()).containsExactly(0.125f);
        assertThat(read.get("empty").shape()).containsExactly(0, 4);
        assertThat(read.get("empty").toFloats()).isEmpty();
        assertThat(read.longs("tokens")).containsExactly(-100, 0, Long.MAX_VALUE);
        assertThat(read.get("step").toInts()).containsExactly(7);
        assertThatThrownBy(() -> read.ints("tokens")).isInstanceOf(UserException.class)
                .hasMessageContaining("round.safetensors").hasMessageContaining("'tokens'").hasMessageContaining("does not fit");
        assertThat(read.get("none").numel()).isZero();
        assertThat(read.contains("tokens")).isTrue();
        assertThat(read.contains("missing")).isFalse();
    }

    @Test
    void headerIsPaddedWithSpacesToAMultipleOfEight() throws IOException {
        for (int nameLength = 1; nameLength <= 9; nameLength++) {
            Path file = dir.resolve("pad" + nameLength + ".safetensors");
            Safetensors.write(file, Map.of(), List.of(StoredTensor.ofFloats("x".repeat(nameLength), new int[] {1}, new float[] {2f})));
            byte[] bytes = Files.readAllBytes(file);
            long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertThat(headerLength % 8).isZero();
            assertThat(bytes.length).isEqualTo(8 + headerLength + 4);
            String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
            assertThat(header.stripTrailing()).startsWith("{").endsWith("}");
            assertThat(header.substring(header.stripTrailing().length())).matches(" *");
            assertThat(SafetensorsFile.read(file).metadata()).isEmpty();
        }
    }

    @Test
    void writeAtomicallyReplacesTheFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("checkpoint.safetensors");
        Safetensors.writeAtomically(file, Map.of("step", "1"), List.of(StoredTensor.ofFloats("p", new int[] {2}, new float[] {1, 2})));
        Safetensors.writeAtomically(file, Map.of("step", "2"), List.of(StoredTensor.ofFloats("p", new int[] {3}, new float[] {4, 5, 6})));
        SafetensorsFile read = SafetensorsFile.read(file);
        assertThat(read.metadata("step")).isEqualTo("2");
        assertThat(read.floats("p")).containsExactly(4, 5, 6);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("checkpoint.safetensors");
        }
        Path plain = dir.resolve("plain.safetensors");
        Safetensors.write(plain, Map.of(), List.of());
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            // the checkpoint gets the same permissions as a plainly written file, not a temp file's owner-only ones
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Files.getPosixFilePermissions(plain));
        }
    }

    @Test
    void readsHalfPrecisionExactly() {
        // F16 bit patterns: 1, -2, smallest subnormal 2^-24, largest finite 65504, +inf, -0
        short[] bits = {0x3C00, (short) 0xC000, 0x0001, 0x7BFF, 0x7C00, (short) 0x8000};
        Path file = FileBuilder.of(dir, "half.safetensors").tensor("h", "F16", "[2,3]", shorts(bits)).write();
        float[] values = SafetensorsFile.read(file).floats("h");
        assertThat(values).containsExactly(1f, -2f, 0x1p-24f, 65504f, Float.POSITIVE_INFINITY, -0f);
        assertThat(Float.floatToRawIntBits(values[5])).isEqualTo(0x80000000);
    }

    @Test
    void readsBfloat16Exactly() {
        // BF16 bit patterns: 1, -3, 3.140625, smallest subnormal 2^-133, -inf, NaN
        short[] bits = {0x3F80, (short) 0xC040, 0x4049, 0x0001, (short) 0xFF80, 0x7FC0};
        Path file = FileBuilder.of(dir, "bf16.safetensors").tensor("b", "BF16", "[6]", shorts(bits)).write();
        float[] values = SafetensorsFile.read(file).floats("b");
        assertThat(values).containsExactly(1f, -3f, 3.140625f, 0x1p-133f, Float.NEGATIVE_INFINITY, Float.NaN);
    }

    @Test
    void readsInt32AsIntsAndLongs() {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(1).putInt(-1).putInt(Integer.MAX_VALUE).putInt(Integer.MIN_VALUE);
        Path file = FileBuilder.of(dir, "i32.safetensors").tensor("i", "I32", "[2,2]", data.array()).write();
        StoredTensor tensor = SafetensorsFile.read(file).get("i");
        assertThat(tensor.dtype()).isEqualTo(DType.I32);
        assertThat(tensor.toInts()).containsExactly(1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
        assertThat(tensor.toLongs()).containsExactly(1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
    }

    @Test
    void readsUnsignedBytesAsIntsFromZeroTo255() {
        byte[] bytes = {0, 1, 127, (byte) 128, (byte) 200, (byte) 255};
        Path file = FileBuilder.of(dir, "u8.safetensors").tensor("pixels", "U8", "[1,2,3]", bytes).write();
        StoredTensor tensor = SafetensorsFile.read(file).get("pixels");
        assertThat(tensor.dtype()).isEqualTo(DType.U8);
        assertThat(tensor.toInts()).containsExactly(0, 1, 127, 128, 200, 255);
        assertThatThrownBy(tensor::toFloats).hasMessageContaining("pixels");
    }

    @Test
    void readsTensorsInHeaderOrderNotOffsetOrder() {
        Path file = FileBuilder.of(dir, "order.safetensors")
                .raw("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                        + "\"__metadata__\":{\"k\":\"v\"},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        floats(1f, 2f))
                .write();
        SafetensorsFile read = SafetensorsFile.read(file);
        assertThat(read.names()).containsExactly("b", "a");
        assertThat(read.floats("a")).containsExactly(1f);
        assertThat(read.floats("b")).containsExactly(2f);
        assertThat(read.metadata()).containsExactly(Map.entry("k", "v"));
    }

    static byte[] shorts(short... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) buffer.putShort(v);
        return buffer.array();
    }

    static byte[] floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) buffer.putFloat(v);
        return buffer.array();
    }
}
