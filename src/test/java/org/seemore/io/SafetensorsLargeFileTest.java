package org.seemore.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Files and tensors beyond 2 GB, which one ByteBuffer cannot map: a sparse file (its length is set,
 * only a few pages are written, so it costs no disk) with a 2.4 GB BF16 tensor and a tensor after it.
 */
class SafetensorsLargeFileTest {
    @TempDir
    Path dir;

    private static final long BIG = 1_200_000_000L;   // BF16 elements: 2.4 GB

    @Test
    void readsTensorsBeyondTwoGigabytes() throws IOException {
        String header = "{\"big\":{\"dtype\":\"BF16\",\"shape\":[" + BIG + "],\"data_offsets\":[0," + 2 * BIG + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + 2 * BIG + "," + (2 * BIG + 16) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        long data = 8 + json.length;
        Path file = dir.resolve("big.safetensors");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, json.length), 0);
            channel.write(ByteBuffer.wrap(json), 8);
            channel.write(ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 0x3F80).putShort(2, (short) 0xC040)
                    .putShort(4, (short) 0x4049), data + 2 * BIG - 6);                      // the last three BF16 values
            ByteBuffer tail = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : new float[] {1.5f, -2f, 3.25f, 1e-40f}) tail.putFloat(v);
            channel.write(tail.flip(), data + 2 * BIG);
        }
        SafetensorsFile read = SafetensorsFile.read(file);
        StoredTensor big = read.get("big");
        assertThat(big.numel()).isEqualTo(BIG);
        assertThat(big.bytes().byteSize()).isEqualTo(2 * BIG);
        float[] last = new float[4];
        big.readFloats(BIG - 4, last, 0, 4);
        assertThat(last).containsExactly(0f, 1f, -3f, 3.140625f);
        assertThat(read.floats("tail")).containsExactly(1.5f, -2f, 3.25f, 1e-40f);
        assertThatThrownBy(big::data).isInstanceOf(UserException.class).hasMessageContaining("'big'").hasMessageContaining("ByteBuffer");
        assertThatThrownBy(() -> big.readFloats(BIG - 2, last, 0, 4)).isInstanceOf(IndexOutOfBoundsException.class);

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(data + 2 * BIG + 10);
        }
        assertThatThrownBy(() -> SafetensorsFile.read(file)).isInstanceOf(UserException.class)
                .hasMessageContaining("big.safetensors").hasMessageContaining("'tail'").hasMessageContaining("truncated (6 bytes short)");
    }
}
