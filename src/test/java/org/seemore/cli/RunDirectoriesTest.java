package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which names --force may delete and which temporary files a restart removes. */
class RunDirectoriesTest {

    @Test
    void seemoresOwnFilesAreKnownByName() {
        for (String name : new String[] {"model.safetensors", "config.json", "tokenizer.json", "metrics.jsonl", "run.json", "loss.png",
                "experts.png", "contact-sheet.png", "training-state-250.safetensors", "mlflow.json", "mlflow-spool.jsonl"}) {
            assertThat(RunDirectories.isOwnFile(name)).as(name).isTrue();
            assertThat(RunDirectories.isTemporaryFile(name)).as(name).isFalse();
        }
        for (String name : new String[] {"thesis.txt", "README.md", "pom.xml", "seemore", ".git", "train.jsonl", "model.safetensors.bak",
                "training-state-x.safetensors", "training-state-.safetensors", "my-model.safetensors"}) {
            assertThat(RunDirectories.isOwnFile(name)).as(name).isFalse();
        }
    }

    @Test
    void temporaryFilesAreTheOnesSeemoresAtomicWritesLeave() {
        // Safetensors.writeAtomically and AtomicFiles (hex), PngFiles (decimal), the tokenizer (NAME.tmp)
        for (String name : new String[] {".model.safetensors.1f2e3d4c5b6a7980.tmp", ".training-state-12.safetensors.ab.tmp",
                ".loss.png.8123456789012345678.tmp", ".metrics.jsonl.0.tmp", ".run.json.ff.tmp", "tokenizer.json.tmp", "config.json.tmp",
                ".mlflow.json.9a.tmp", ".mlflow-spool.jsonl.7f.tmp"}) {
            assertThat(RunDirectories.isTemporaryFile(name)).as(name).isTrue();
            assertThat(RunDirectories.isOwnFile(name)).as(name).isTrue();
        }
        for (String name : new String[] {"notes.tmp", ".thesis.txt.1f.tmp", ".model.safetensors.tmp.txt", ".model.safetensors.xyz.tmp",
                "model.safetensors.1f.tmp", ".tmp", "..tmp"}) {
            assertThat(RunDirectories.isTemporaryFile(name)).as(name).isFalse();
            assertThat(RunDirectories.isOwnFile(name)).as(name).isFalse();
        }
    }
}
