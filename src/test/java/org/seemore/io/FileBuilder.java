package org.seemore.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, so tests can write dtypes and corruptions the writer never would. */
final class FileBuilder {
    private final Path file;
    private final StringBuilder header = new StringBuilder();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private String rawHeader;

    private FileBuilder(Path file) {
        this.file = file;
    }

    static FileBuilder of(Path dir, String name) {
        return new FileBuilder(dir.resolve(name));
    }

    /** Appends a tensor entry whose offsets follow the previous tensor's. */
    FileBuilder tensor(String name, String dtype, String shapeJson, byte[] bytes) {
        header.append(header.isEmpty() ? "" : ",")
                .append("\"").append(name).append("\":{\"dtype\":\"").append(dtype).append("\",\"shape\":").append(shapeJson)
                .append(",\"data_offsets\":[").append(data.size()).append(",").append(data.size() + bytes.length).append("]}");
        data.writeBytes(bytes);
        return this;
    }

    /** Uses {@code json} verbatim as the header and {@code bytes} as the data section. */
    FileBuilder raw(String json, byte[] bytes) {
        rawHeader = json;
        data.writeBytes(bytes);
        return this;
    }

    Path write() {
        byte[] json = (rawHeader != null ? rawHeader : "{" + header + "}").getBytes(StandardCharsets.UTF_8);
        return bytes(file, json.length, json, data.toByteArray());
    }

    /** Writes an 8-byte length (which may lie), the header bytes and the data. */
    static Path bytes(Path file, long declaredHeaderLength, byte[] header, byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(declaredHeaderLength).put(header).put(data);
        try {
            Files.write(file, out.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
