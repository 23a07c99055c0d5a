package org.seemore.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** 16-bit tensors kept as they are (bit patterns, zero-copy views) or widened by rows, through a written file. */
class StoredTensorTest {
    @TempDir
    Path dir;

    @Test
    void halfTensorsRoundTripAndWidenByRows() {
        SplittableRandom random = new SplittableRandom(3);
        short[] bits = new short[7 * 37];
        for (int i = 0; i < bits.length; i++) bits[i] = (short) random.nextInt(1 << 16);
        Path file = dir.resolve("halves.safetensors");
        Safetensors.write(file, Map.of(), List.of(StoredTensor.ofHalves("b", DType.BF16, new int[] {7, 37}, bits),
                StoredTensor.ofHalves("h", DType.F16, new int[] {7, 37}, bits)));
        SafetensorsFile read = SafetensorsFile.read(file);
        for (String name : new String[] {"b", "h"}) {
            StoredTensor tensor = read.get(name);
            assertThat(tensor.toShorts()).containsExactly(bits);
            float[] all = tensor.toFloats();
            for (int i = 0; i < bits.length; i++) {
                float expected = name.equals("b") ? Float.intBitsToFloat((bits[i] & 0xFFFF) << 16) : Float.float16ToFloat(bits[i]);
                assertThat(Float.floatToRawIntBits(all[i])).as("%s[%d]", name, i).isEqualTo(Float.floatToRawIntBits(expected));
            }
            float[] row = new float[37 + 2];
            tensor.readFloats(3 * 37, row, 1, 37);   // row 3, into an offset
            for (int j = 0; j < 37; j++) assertThat(Float.floatToRawIntBits(row[1 + j])).isEqualTo(Float.floatToRawIntBits(all[3 * 37 + j]));
            assertThat(row[0]).isZero();
            assertThat(row[38]).isZero();
        }
    }

    @Test
    void closingTheArenaUnmapsTheFile() {
        Path file = dir.resolve("arena.safetensors");
        Safetensors.write(file, Map.of(), List.of(StoredTensor.ofFloats("w", new int[] {2}, new float[] {1f, 2f})));
        StoredTensor tensor;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            tensor = SafetensorsFile.read(file, arena).get("w");
            assertThat(tensor.toFloats()).containsExactly(1f, 2f);
        }
        assertThatThrownBy(tensor::toFloats).isInstanceOf(IllegalStateException.class);   // a view of an unmapped file fails, never reads garbage
    }

    @Test
    void viewsAreReadOnlyAndTypesAreChecked() {
        StoredTensor floats = StoredTensor.ofFloats("w", new int[] {2}, new float[] {1f, 2f});
        assertThat(floats.bytes().isReadOnly()).isTrue();
        assertThat(floats.data().isReadOnly()).isTrue();
        assertThat(floats.data().getFloat(4)).isEqualTo(2f);
        float[] second = new float[1];
        floats.readFloats(1, second, 0, 1);
        assertThat(second).containsExactly(2f);
        assertThatThrownBy(floats::toShorts).isInstanceOf(UserException.class).hasMessageContaining("'w'").hasMessageContaining("BF16 or F16");
        assertThatThrownBy(() -> StoredTensor.ofHalves("x", DType.F32, new int[] {1}, new short[1])).isInstanceOf(IllegalArgumentException.class);
        assertThat(StoredTensor.ofHalves("x", DType.BF16, new int[] {1}, new short[] {0x3F80}))
                .isEqualTo(StoredTensor.ofHalves("x", DType.BF16, new int[] {1}, new short[] {0x3F80}))
                .isNotEqualTo(StoredTensor.ofHalves("x", DType.BF16, new int[] {1}, new short[] {0x3F81}));
    }

    @Test
    void aReleasedMappedTensorLeavesResidentMemoryAndReadsTheSameAfterwards() throws Exception {
        int n = 8 << 20; // 32 MB of floats
        float[] values = new float[n];
        for (int i = 0; i < n; i += 1024) values[i] = i;
        Path file = dir.resolve("big.safetensors");
        Safetensors.write(file, Map.of(), List.of(StoredTensor.ofFloats("w", new int[] {n}, values)));
        StoredTensor mapped = SafetensorsFile.read(file).get("w");
        float[] first = mapped.toFloats();                    // every page of the mapping resident
        long before = residentFileKb();

        mapped.release();

        long after = residentFileKb();
        assertThat(before - after).as("RssFile %d kB -> %d kB", before, after).isGreaterThan(24 << 10);
        assertThat(java.util.Arrays.equals(mapped.toFloats(), first)).as("the values read again").isTrue(); // mapped in again
        StoredTensor heap = StoredTensor.ofFloats("h", new int[] {2}, new float[] {1, 2});
        heap.release();                                        // not mapped: nothing to drop
        assertThat(heap.toFloats()).containsExactly(1, 2);
    }

    /** The file-backed part of this process's resident memory (Linux's /proc/self/status RssFile). */
    private static long residentFileKb() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssFile:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no RssFile in /proc/self/status");
    }
}
