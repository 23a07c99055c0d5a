package org.seemore.data.image;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes large 16-bit RGB PNGs without holding their pixels: rows are generated and deflated one at a
 * time. The picture is made of 64x64 blocks of one colour, so that it compresses to little and the
 * test stays fast, and {@link #sample} says what every pixel holds.
 */
final class BlockPng {
    static final int BLOCK = 64;

    private BlockPng() {}

    /** The 16-bit value of channel {@code c} at (x, y). */
    static int sample(int x, int y, int c) {
        int hash = (x / BLOCK) * 73_856_093 ^ (y / BLOCK) * 19_349_663 ^ (c + 1) * 83_492_791;
        return (hash * 0x9E3779B1) >>> 16;
    }

    static Path write(Path file, int width, int height) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, width, height);
        }
        return file;
    }

    static byte[] bytes(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, width, height);
        return out.toByteArray();
    }

    private static void write(OutputStream out, int width, int height) throws IOException {
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(header);
        h.writeInt(width);
        h.writeInt(height);
        h.writeByte(16);   // bit depth
        h.writeByte(2);    // colour type: RGB
        h.writeByte(0);    // compression
        h.writeByte(0);    // filter method
        h.writeByte(0);    // no interlace
        chunk(out, "IHDR", header.toByteArray());

        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        byte[] row = new byte[1 + width * 6];   // filter byte 0 (none), then R, G, B big-endian
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(compressed, deflater, 1 << 16)) {
            for (int y = 0; y < height; y++) {
                if (y % BLOCK == 0) {
                    for (int x = 0; x < width; x++) {
                        for (int c = 0; c < 3; c++) {
                            int v = sample(x, y, c);
                            row[1 + x * 6 + c * 2] = (byte) (v >> 8);
                            row[2 + x * 6 + c * 2] = (byte) v;
                        }
                    }
                }
                deflate.write(row);
            }
        } finally {
            deflater.end();
        }
        chunk(out, "IDAT", compressed.toByteArray());
        chunk(out, "IEND", new byte[0]);
    }

    private static void chunk(OutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(name);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
