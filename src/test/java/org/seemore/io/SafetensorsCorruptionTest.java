package org.seemore.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every malformed file is a UserException whose message names the file (and the tensor, when there is one). */
class SafetensorsCorruptionTest {
    @TempDir
    Path dir;

    private static final String ENTRY = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @Test
    void missingFile() {
        assertFails(dir.resolve("absent.safetensors"), "absent.safetensors", "no such");
    }

    @Test
    void emptyFileAndFileShorterThanTheLength() throws IOException {
        Path empty = Files.write(dir.resolve("empty.safetensors"), new byte[0]);
        assertFails(empty, "empty.safetensors", "shorter than the 8-byte header length");
        Path shortFile = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3, 4, 5});
        assertFails(shortFile, "short.safetensors", "shorter than the 8-byte header length");
    }

    @Test
    void headerLengthLargerThanTheFile() {
        byte[] header = ("{\"x\":" + ENTRY + "}").getBytes(StandardCharsets.UTF_8);
        Path file = FileBuilder.bytes(dir.resolve("long.safetensors"), header.length + 100, header, new byte[8]);
        assertFails(file, "long.safetensors", "larger than the file");
        Path negative = FileBuilder.bytes(dir.resolve("negative.safetensors"), -1, header, new byte[8]);
        assertFails(negative, "negative.safetensors", "larger than the file");
    }

    @Test
    void headerNotJson() {
        Path file = FileBuilder.of(dir, "garbage.safetensors").raw("{\"x\": [1, 2", new byte[0]).write();
        assertFails(file, "garbage.safetensors", "not valid JSON");
        Path trailing = FileBuilder.of(dir, "trailing.safetensors").raw("{} {}", new byte[0]).write();
        assertFails(trailing, "trailing.safetensors", "not valid JSON");
        Path duplicate = FileBuilder.of(dir, "duplicate.safetensors").raw("{\"x\":" + ENTRY + ",\"x\":" + ENTRY + "}", new byte[8]).write();
        assertFails(duplicate, "duplicate.safetensors", "not valid JSON");
    }

    @Test
    void headerNotAnObject() {
        Path file = FileBuilder.of(dir, "array.safetensors").raw("[1, 2, 3]", new byte[0]).write();
        assertFails(file, "array.safetensors", "not a JSON object");
        Path entry = FileBuilder.of(dir, "entry.safetensors").raw("{\"x\": 3}", new byte[0]).write();
        assertFails(entry, "entry.safetensors", "'x'", "not a JSON object");
    }

    @Test
    void offsetsThatDoNotMatchTheShape() {
        Path file = FileBuilder.of(dir, "size.safetensors").tensor("w", "F32", "[3]", new byte[8]).write();
        assertFails(file, "size.safetensors", "'w'", "span 8 bytes", "needs 12");
    }

    @Test
    void offsetsOutsideTheData() {
        Path file = FileBuilder.of(dir, "outside.safetensors")
                .raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[8]).write();
        assertFails(file, "outside.safetensors", "'w'", "outside the data section");
        Path reversed = FileBuilder.of(dir, "reversed.safetensors")
                .raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", new byte[8]).write();
        assertFails(reversed, "reversed.safetensors", "'w'", "outside the data section");
        Path negative = FileBuilder.of(dir, "negoffset.safetensors")
                .raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", new byte[8]).write();
        assertFails(negative, "negoffset.safetensors", "'w'", "outside the data section");
    }

    @Test
    void negativeDimension() {
        Path file = FileBuilder.of(dir, "negdim.safetensors")
                .raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2,-1],\"data_offsets\":[0,8]}}", new byte[8]).write();
        assertFails(file, "negdim.safetensors", "'w'", "negative dimension");
    }

    @Test
    void overlappingTensors() {
        Path file = FileBuilder.of(dir, "overlap.safetensors")
                .raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]).write();
        assertFails(file, "overlap.safetensors", "'a'", "'b'", "overlap");
    }

    @Test
    void unknownDtype() {
        Path file = FileBuilder.of(dir, "f64.safetensors").tensor("d", "F64", "[1]", new byte[8]).write();
        assertFails(file, "f64.safetensors", "'d'", "unsupported dtype F64");
        Path missing = FileBuilder.of(dir, "nodtype.safetensors")
                .raw("{\"d\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]).write();
        assertFails(missing, "nodtype.safetensors", "'d'", "dtype");
    }

    @Test
    void metadataThatIsNotStrings() {
        Path file = FileBuilder.of(dir, "meta.safetensors").raw("{\"__metadata__\":{\"steps\":3}}", new byte[0]).write();
        assertFails(file, "meta.safetensors", "'steps'", "not a string");
    }

    @Test
    void missingTensorAndWrongTypeNameTheFile() {
        Path file = FileBuilder.of(dir, "ok.safetensors").tensor("w", "F32", "[2]", new byte[8]).write();
        SafetensorsFile read = SafetensorsFile.read(file);
        assertThatThrownBy(() -> read.get("v")).isInstanceOf(UserException.class)
                .hasMessageContaining("ok.safetensors").hasMessageContaining("'v'");
        assertThatThrownBy(() -> read.longs("w")).isInstanceOf(UserException.class)
                .hasMessageContaining("ok.safetensors").hasMessageContaining("'w'").hasMessageContaining("F32");
        assertThatThrownBy(() -> read.metadata("config")).isInstanceOf(UserException.class)
                .hasMessageContaining("ok.safetensors").hasMessageContaining("'config'");
    }

    private static void assertFails(Path file, String... fragments) {
        var assertion = assertThatThrownBy(() -> SafetensorsFile.read(file)).isInstanceOf(UserException.class);
        for (String fragment : fragments) assertion.hasMessageContaining(fragment);
    }
}
