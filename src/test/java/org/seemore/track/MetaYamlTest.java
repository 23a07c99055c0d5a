package org.seemore.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** meta.yaml as PyYAML would read it: strings stay strings whatever they look like, keys sorted, and what MLflow wrote reads back. */
class MetaYamlTest {

    @Test
    void stringsThatLookLikeOtherTypesAreQuotedAndKeysSorted() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", "it's 0");
        fields.put("experiment_id", "0");
        fields.put("flag", "true");
        fields.put("none", "null");
        fields.put("lines", "a\nb\t\"c\"\\");
        fields.put("status", 3);
        fields.put("end_time", null);
        fields.put("tags", List.of());
        fields.put("user", "ünïcode ☃");
        String text = MetaYaml.write(fields);
        assertThat(text).startsWith("end_time: null\nexperiment_id: '0'\nflag: 'true'\nlines: \"a\\nb\\t\\\"c\\\"\\\\\"\n")
                .contains("name: 'it''s 0'\n").contains("status: 3\n").contains("tags: []\n").contains("user: 'ünïcode ☃'\n");
        Map<String, String> back = MetaYaml.read(text);
        assertThat(back).containsEntry("name", "it's 0").containsEntry("experiment_id", "0").containsEntry("none", "null")
                .containsEntry("lines", "a\nb\t\"c\"\\").containsEntry("status", "3").containsEntry("end_time", null).containsEntry("user", "ünïcode ☃");
    }

    @Test
    void readsWhatMlflowWrites() {
        // PyYAML's safe_dump of an experiment: plain scalars where unambiguous, a long name folded over two lines
        String mlflow = """
                artifact_location: file:///home/ann/mlruns/123
                creation_time: 1700000000000
                experiment_id: '123'
                last_update_time: 1700000000000
                lifecycle_stage: active
                name: a very long experiment name that PyYAML folds because it is wider than eighty
                  columns
                """;
        Map<String, String> meta = MetaYaml.read(mlflow);
        assertThat(meta).containsEntry("artifact_location", "file:///home/ann/mlruns/123").containsEntry("experiment_id", "123")
                .containsEntry("lifecycle_stage", "active")
                .containsEntry("name", "a very long experiment name that PyYAML folds because it is wider than eighty columns");
    }
}
