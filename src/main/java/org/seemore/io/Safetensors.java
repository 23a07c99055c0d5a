package org.seemore.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.seemore.UserException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes safetensors files: tensors in the given order, contiguous in the data section, the JSON
 * header padded with spaces to a multiple of 8 bytes (as the reference implementation does).
 * Read them back with {@link SafetensorsFile#read}.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CHUNK = 1L << 30;

    private Safetensors() {}

    /** Writes {@code tensors} and {@code metadata} to {@code path}, replacing it if it exists. */
    public static void write(Path path, Map<String, String> metadata, List<StoredTensor> tensors) {
        ByteBuffer header = encodeHeader(metadata, tensors);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeTo(channel, header, tensors);
        } catch (IOException e) {
            throw new UserException(path + ": cannot write safetensors file: " + e.getMessage(), e);
        }
    }

    /**
     * Writes to a temporary file in the same directory, forces it to disk and renames it over
     * {@code path}, so a crash leaves either the old file or the new one, never a partial file.
     */
    public static void writeAtomically(Path path, Map<String, String> metadata, List<StoredTensor> tensors) {
        ByteBuffer header = encodeHeader(metadata, tensors);
        Path absolute = path.toAbsolutePath();
        Path directory = absolute.getParent();
        Path temp = null;
        try {
            // not Files.createTempFile: its owner-only permissions would carry over to the checkpoint
            temp = directory.resolve("." + absolute.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeTo(channel, header, tensors);
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            syncDirectory(directory);
        } catch (IOException e) {
            throw new UserException(path + ": cannot write safetensors file: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original error matters more than a leftover temporary file
                }
            }
        }
    }

    /** The 8-byte length followed by the padded JSON header; data offsets follow the list order. */
    static ByteBuffer encodeHeader(Map<String, String> metadata, List<StoredTensor> tensors) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsFile.METADATA_KEY);
            metadata.forEach((key, value) -> {
                if (key == null || value == null) throw new IllegalArgumentException("metadata keys and values must not be null");
                meta.put(key, value);
            });
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (StoredTensor tensor : tensors) {
            if (tensor.name().equals(SafetensorsFile.METADATA_KEY)) throw new IllegalArgumentException("'__metadata__' is not a tensor name");
            if (!seen.add(tensor.name())) throw new IllegalArgumentException("duplicate tensor name '" + tensor.name() + "'");
            long size = tensor.bytes().byteSize();
            ObjectNode entry = root.putObject(tensor.name());
            entry.put("dtype", tensor.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (int dim : tensor.shape()) shape.add(dim);
            entry.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer header = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(padded).put(json);
        while (header.hasRemaining()) header.put((byte) ' ');
        return header.flip();
    }

    private static void writeTo(FileChannel channel, ByteBuffer header, List<StoredTensor> tensors) throws IOException {
        writeFully(channel, header);
        for (StoredTensor tensor : tensors) {
            MemorySegment bytes = tensor.bytes();
            // a ByteBuffer views at most 2 GB: larger tensors go out in chunks
            for (long at = 0; at < bytes.byteSize(); at += CHUNK) {
                writeFully(channel, bytes.asSlice(at, Math.min(CHUNK, bytes.byteSize() - at)).asByteBuffer());
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    /** Makes the rename durable; not every platform lets a directory be opened, so failure is ignored. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: the file itself is already on disk
        }
    }
}
