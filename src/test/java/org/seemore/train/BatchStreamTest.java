package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.synth.ShapesConfig;
import org.seemore.data.synth.ShapesDataset;
import org.seemore.data.synth.Split;
import org.seemore.data.text.CharTokenizer;

class BatchStreamTest {
    private final List<Example> data = ShapesDataset.generate(new ShapesConfig(32, 9), Split.TRAIN, 10);
    private final SequenceEncoder encoder = new SequenceEncoder(CharTokenizer.forExamples(data), 120);
    private final ImageTransform transform = ImageTransform.imagenet(32);

    private List<Batch> take(long start, int n, long seed) {
        List<Batch> out = new ArrayList<>();
        try (BatchStream s = new BatchStream(data, encoder, transform, 4, seed, start)) {
            for (int i = 0; i < n; i++) out.add(s.next());
            assertThat(s.position()).isEqualTo(start + n);
        }
        return out;
    }

    @Test
    void aStreamStartedAtBatchJGivesWhatAnUninterruptedOneGivesFromJ() {
        List<Batch> all = take(0, 7, 3), tail = take(4, 3, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(tail.get(i).tokens()).containsExactly(all.get(4 + i).tokens());
            assertThat(tail.get(i).images().toArray()).containsExactly(all.get(4 + i).images().toArray());
        }
        assertThat(take(0, 1, 4).get(0).tokens()).isNotEqualTo(all.get(0).tokens());
    }

    @Test
    void everyExampleAppearsOncePerEpoch() {
        // 10 examples, batches of 4: the first 10 stream items are one permutation
        List<Batch> batches = take(0, 3, 5);
        List<String> seen = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            Batch batch = batches.get(b);
            for (int i = 0; i < batch.size() && seen.size() < 10; i++) {
                int[] row = java.util.Arrays.copyOfRange(batch.tokens(), i * batch.length(), (i + 1) * batch.length());
                seen.add(java.util.Arrays.toString(row));
            }
        }
        assertThat(seen).doesNotHaveDuplicates().hasSize(10);
    }

    @Test
    void aBadImageStopsWithTheRecordsName() {
        List<Example> bad = List.of(new Example("data.jsonl:7", new org.seemore.data.image.ImageSource.EncodedImage("data.jsonl:7", new byte[] {1, 2, 3}), "", "x"));
        try (BatchStream s = new BatchStream(bad, encoder, transform, 1, 1, 0)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(s::next).isInstanceOf(UserException.class).hasMessageContaining("data.jsonl:7");
        }
    }

    @Test
    void anErrorWhileMakingABatchReachesTheTrainingThreadInsteadOfLeavingItWaiting() {
        // out of heap on the batch thread: without the hand-over, next() would wait forever
        List<Example> failing = new java.util.AbstractList<>() {
            @Override
            public Example get(int index) { throw new OutOfMemoryError("Java heap space"); }

            @Override
            public int size() { return 10; }
        };
        try (BatchStream s = new BatchStream(failing, encoder, transform, 2, 1, 0)) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () ->
                    org.assertj.core.api.Assertions.assertThatThrownBy(s::next).isInstanceOf(OutOfMemoryError.class));
        }
    }
}
