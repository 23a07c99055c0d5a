package org.seemore.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Model directories with one weights file or with shards and an index; every inconsistency is one line naming the file. */
class SafetensorsCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void aShardedCopyHoldsExactlyTheTensorsOfTheSingleFile() {
        for (String model : new String[] {"llama", "mixtral", "llava-siglip"}) {
            Path sharded = dir.resolve(model);
            HfFixtures.shard(HfFixtures.model(model), sharded, 2);
            SafetensorsCheckpoint single = SafetensorsCheckpoint.open(HfFixtures.model(model));
            SafetensorsCheckpoint split = SafetensorsCheckpoint.open(sharded);
            assertThat(single.files()).hasSize(1);
            assertThat(split.files()).extracting(f -> f.path().getFileName().toString())
                    .containsExactly("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
            assertThat(split.names()).isEqualTo(single.names());
            for (String name : single.names()) {
                assertThat(split.get(name)).as(name).isEqualTo(single.get(name));   // same dtype, shape and bytes
                assertThat(split.floats(name)).as(name).containsExactly(single.floats(name));
            }
            assertThat(split.dataBytes()).isEqualTo(single.dataBytes());
            String last = single.names().getLast();
            assertThat(split.fileOf(last).getFileName().toString()).isEqualTo("model-00002-of-00002.safetensors");
        }
    }

    @Test
    void aSingleFileWinsOverAnIndexAsInTransformers() throws IOException {
        HfFixtures.shard(HfFixtures.model("qwen2"), dir, 2);
        Files.copy(HfFixtures.model("qwen2").resolve("model.safetensors"), dir.resolve("model.safetensors"));
        HfFixtures.write(dir.resolve(SafetensorsCheckpoint.INDEX), "not json");
        assertThat(SafetensorsCheckpoint.open(dir).files()).hasSize(1);
    }

    @Test
    void aDirectoryWithoutWeightsSaysWhatItNeeds() throws IOException {
        assertOneLine(() -> SafetensorsCheckpoint.open(dir), dir.toString(), "no model.safetensors or model.safetensors.index.json");
        Files.writeString(dir.resolve("pytorch_model.bin"), "pickle");
        assertOneLine(() -> SafetensorsCheckpoint.open(dir), "PyTorch pickles", "convert them to safetensors");
        assertOneLine(() -> SafetensorsCheckpoint.open(dir.resolve("absent")), "absent", "no such model directory");
    }

    @Test
    void badIndexFilesNameTheIndex() {
        String[][] cases = {
                {"{\"weight_map\": {\"a\": ", "not valid JSON"},
                {"{\"metadata\": {}}", "no \"weight_map\" object"},
                {"{\"weight_map\": []}", "no \"weight_map\" object"},
                {"{\"weight_map\": {}}", "\"weight_map\" is empty"},
                {"{\"weight_map\": {\"a\": 3}}", "weight_map entry 'a' is 3"},
                {"{\"weight_map\": {\"a\": \"../elsewhere/model.safetensors\"}}", "not the name of a .safetensors file in the same directory"},
                {"{\"weight_map\": {\"a\": \"model-00001-of-00001.safetensors\"}}", "shard model-00001-of-00001.safetensors (holding 1 tensors, e.g. 'a') is not in"},
        };
        for (String[] c : cases) {
            HfFixtures.write(dir.resolve(SafetensorsCheckpoint.INDEX), c[0]);
            assertOneLine(() -> SafetensorsCheckpoint.open(dir), SafetensorsCheckpoint.INDEX, c[1]);
        }
    }

    @Test
    void indexAndShardsMustAgree() throws IOException {
        HfFixtures.shard(HfFixtures.model("llama"), dir, 2);
        Path index = dir.resolve(SafetensorsCheckpoint.INDEX);
        String original = Files.readString(index);
        // a tensor the index places in shard 1 that is not there
        HfFixtures.write(index, original.replace("\"weight_map\": {", "\"weight_map\": {\n    \"model.extra.weight\": \"model-00001-of-00002.safetensors\","));
        assertOneLine(() -> SafetensorsCheckpoint.open(dir), "model-00001-of-00002.safetensors", "no tensor 'model.extra.weight'", INDEX_NAME);
        // a tensor a shard holds that the index does not list
        HfFixtures.write(index, original.replace("    \"model.norm.weight\": \"model-00002-of-00002.safetensors\",\n", "")
                .replace(",\n    \"model.norm.weight\": \"model-00002-of-00002.safetensors\"\n", "\n"));
        assertOneLine(() -> SafetensorsCheckpoint.open(dir), "model-00002-of-00002.safetensors", "holds tensor 'model.norm.weight'", "does not list");
    }

    @Test
    void aTruncatedShardIsOneLineNamingTheShard() throws IOException {
        HfFixtures.shard(HfFixtures.model("mixtral"), dir, 2);
        Path shard = dir.resolve("model-00002-of-00002.safetensors");
        long size = Files.size(shard);
        try (RandomAccessFile file = new RandomAccessFile(shard.toFile(), "rw")) {
            file.setLength(size - 1000);   // an interrupted download
        }
        assertOneLine(() -> SafetensorsCheckpoint.open(dir), shard.toString(), "truncated (1000 bytes short)");
        try (RandomAccessFile file = new RandomAccessFile(shard.toFile(), "rw")) {
            file.setLength(100);            // cut inside the header
        }
        assertOneLine(() -> SafetensorsCheckpoint.open(dir), shard.toString(), "truncated");
    }

    @Test
    void missingTensorsNameTheDirectory() {
        SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(HfFixtures.model("llama"));
        assertOneLine(() -> checkpoint.get("lm_head.weight"), "llama", "no tensor 'lm_head.weight'");
        assertThat(checkpoint.tensors()).hasSize(checkpoint.names().size());
        assertThat(checkpoint.contains("model.norm.weight")).isTrue();
        assertThat(Map.copyOf(checkpoint.tensors()).get("model.norm.weight").shape()).containsExactly(64);
    }

    private static final String INDEX_NAME = SafetensorsCheckpoint.INDEX;

    static void assertOneLine(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String... fragments) {
        var assertion = assertThatThrownBy(call).isInstanceOf(UserException.class);
        for (String fragment : fragments) assertion.hasMessageContaining(fragment);
        assertion.satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
